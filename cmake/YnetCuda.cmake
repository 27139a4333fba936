# The CUDA backend is optional: AUTO builds it when the toolkit and cuDNN are found, ON requires them,
# OFF skips them. YNET_HAVE_CUDA tells the rest of the build what was decided.
set(YNET_HAVE_CUDA OFF)
if(NOT YNET_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  find_package(CUDAToolkit QUIET)
  find_library(YNET_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR})
  find_path(YNET_CUDNN_INCLUDE cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  if(CMAKE_CUDA_COMPILER AND CUDAToolkit_FOUND AND YNET_CUDNN_LIBRARY AND YNET_CUDNN_INCLUDE)
    set(YNET_HAVE_CUDA ON)
  elseif(YNET_CUDA STREQUAL "ON")
    message(FATAL_ERROR "YNET_CUDA=ON but the CUDA toolkit or cuDNN was not found")
  endif()
endif()
message(STATUS "ynet: CUDA toolkit and cuDNN found: ${YNET_HAVE_CUDA}")

if(YNET_HAVE_CUDA)
  # sm_90 code plus compute_90 PTX, which newer GPUs compile when they load it.
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "90-real;90-virtual")
  endif()
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  # The CUDA runtime is linked statically, so a binary runs against any newer driver; cuBLAS,
  # cuBLASLt and cuDNN stay shared libraries.
  set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
endif()

# ynet_warnings for a target with CUDA sources: nvcc passes the host compiler's warning flags on
# with -Xcompiler and turns its own warnings into errors.
function(ynet_cuda_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Werror>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra,-Werror --Werror=all-warnings>)
endfunction()
