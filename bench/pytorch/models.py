"""The paper's three benchmark models and WILLOW's Gated NetVLAD in plain PyTorch, layer for layer as
specs/*.ynet define them.

BoF_4096          specs/bof_4096.ynet
Simple_LSTM_2048  specs/simple_lstm_2048.ynet
LSTM_MoE_512      specs/lstm_moe_512.ynet
Gated_NetVLAD     specs/willow_gated_netvlad.ynet

Every model takes video [B, T, 1152] (padded frames hold zeros) and lengths [B] (int64 on the CPU,
as a data loader yields them and as pack_padded_sequence wants them) and returns
(logits [B, classes], aux_loss), aux_loss being the MoE layer's load-balancing losses (0 without a
MoE layer or in eval mode). The conventions follow ynet's, so that both frameworks do the same work:

- BatchNorm as TensorFlow's: epsilon 1e-3, moving averages with decay 0.99 (PyTorch's momentum is
  1 - decay); over frames, the statistics run over batch x time, padded frames included.
- LSTM gates i, f, g, o with one trainable bias per gate and a constant forget bias of 1 added to
  f: nn.LSTM has two biases, so bias_ih is the trainable one and bias_hh is frozen at the constant
  (1 on f, 0 elsewhere). Dropout falls on every layer's output, the last one's included (nn.LSTM's
  own dropout covers only the outputs between layers).
- Sequences run packed (pack_padded_sequence): the LSTM does no work on padded frames and the MoE
  layer sees the valid frames only. `packed=False` runs the LSTM over every frame instead, as ynet
  does, and zeroes the outputs past each length.
- TimeWeightedSum: sum over t = 1..T of (t / T) * h_t with T = max_frames.
- Initialisation: Glorot-uniform kernels, orthogonal recurrent blocks, zero biases (ynet's).
- NetVLAD (docs/language.md): per frame softmax(BatchNorm(x W)) over K clusters, padded frames'
  assignments zeroed, per video v[k] = sum_t a[t, k] (x_t - c_k), L2 per cluster, L2 over all;
  Context Gating y = sigmoid(BatchNorm(x W)) * x; the MoE classifier is the starter code's
  (per class, a softmax over mixtures + 1 gates mixing sigmoid experts), returning probabilities.
"""
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

FEATURES = 1024 + 128
CLASSES = 4716
BN_EPSILON = 1e-3
BN_MOMENTUM = 1.0 - 0.99


def batch_norm(features):
    return nn.BatchNorm1d(features, eps=BN_EPSILON, momentum=BN_MOMENTUM)


def dense(inputs, units, bias=True):
    layer = nn.Linear(inputs, units, bias=bias)
    nn.init.xavier_uniform_(layer.weight)
    if bias:
        nn.init.zeros_(layer.bias)
    return layer


def frame_mask(lengths, frames, device):
    """valid[b, t] = t < lengths[b], on `device`."""
    return torch.arange(frames, device=device)[None, :] < lengths.to(device)[:, None]


def normalize_frames(norm, video):
    """BatchNorm over every frame of [B, T, F]: the statistics run over batch x time."""
    batch, frames, features = video.shape
    return norm(video.reshape(batch * frames, features)).view(batch, frames, features)


def time_weighted_sum(h):
    """sum_t (t / T) h_t over [B, T, H]; padded frames hold zeros and add nothing."""
    frames = h.shape[1]
    weights = torch.arange(1, frames + 1, device=h.device, dtype=h.dtype) / frames
    return torch.einsum("bth,t->bh", h, weights)


class LSTMStack(nn.Module):
    """nn.LSTM with ynet's bias convention and dropout after every layer, the last one included."""

    def __init__(self, inputs, hidden, layers, dropout, forget_bias=1.0):
        super().__init__()
        self.lstm = nn.LSTM(inputs, hidden, num_layers=layers, dropout=dropout if layers > 1 else 0.0,
                            batch_first=True)
        self.output_dropout = nn.Dropout(dropout)
        for layer in range(layers):
            w = getattr(self.lstm, f"weight_ih_l{layer}")
            u = getattr(self.lstm, f"weight_hh_l{layer}")
            b = getattr(self.lstm, f"bias_ih_l{layer}")
            constant = getattr(self.lstm, f"bias_hh_l{layer}")
            nn.init.xavier_uniform_(w)
            for gate in range(4):
                nn.init.orthogonal_(u.data[gate * hidden:(gate + 1) * hidden])
            nn.init.zeros_(b)
            with torch.no_grad():
                constant.zero_()
                constant[hidden:2 * hidden] = forget_bias
            constant.requires_grad_(False)

    def forward_packed(self, packed):
        out, _ = self.lstm(packed)
        return out._replace(data=self.output_dropout(out.data))

    def forward_padded(self, x, valid):
        out, _ = self.lstm(x)
        return self.output_dropout(out) * valid[..., None]


class NoisyTopKMoE(nn.Module):
    """Sparsely gated mixture of experts (Shazeer et al. 2017) over rows [N, inputs]: noisy top-k
    gating, each expert two Dense layers (relu, then linear), run only on the rows routed to it.
    The importance and load losses are w * CV^2 with the population variance over experts."""

    def __init__(self, inputs, experts, top_k, units, w_importance, w_load):
        super().__init__()
        self.experts, self.top_k = experts, top_k
        self.w_importance, self.w_load = w_importance, w_load
        self.gate = nn.Parameter(torch.empty(inputs, experts))
        self.noise = nn.Parameter(torch.empty(inputs, experts))
        # One module per expert, as MoE code in PyTorch usually keeps them: slicing stacked [experts, ...]
        # weights per expert would make autograd write a full-size zero gradient for every slice.
        self.expert_networks = nn.ModuleList(
            nn.Sequential(dense(inputs, units), nn.ReLU(), dense(units, units)) for _ in range(experts))
        for kernel in (self.gate, self.noise):
            nn.init.xavier_uniform_(kernel)

    @staticmethod
    def cv_squared(v):
        return v.var(unbiased=False) / (v.mean() ** 2 + 1e-10)

    def forward(self, x):
        clean = x @ self.gate
        noisy_gating = self.training
        if noisy_gating:
            noise_scale = F.softplus(x @ self.noise)
            logits = clean + torch.randn_like(clean) * noise_scale
        else:
            logits = clean
        k = self.top_k
        top_values, top_index = logits.topk(min(k + 1, self.experts), dim=1)
        chosen = top_index[:, :k]
        chosen_gates = torch.softmax(top_values[:, :k], dim=1)
        y = self.run_experts(x, chosen, chosen_gates)
        if not self.training:
            return y, x.new_zeros(())
        importance = torch.zeros_like(clean).scatter(1, chosen, chosen_gates).sum(0)
        aux = self.w_importance * self.cv_squared(importance)
        if noisy_gating and k < self.experts:
            # P(x, i): the probability that expert i stays in the top k when its own noise is redrawn.
            threshold_if_in = top_values[:, k:k + 1]
            threshold_if_out = top_values[:, k - 1:k]
            is_in = logits > threshold_if_in
            p_in = torch.special.ndtr((clean - threshold_if_in) / noise_scale)
            p_out = torch.special.ndtr((clean - threshold_if_out) / noise_scale)
            load = torch.where(is_in, p_in, p_out).sum(0)
            aux = aux + self.w_load * self.cv_squared(load)
        return y, aux

    def run_experts(self, x, chosen, gates):
        """Groups the (row, expert) pairs by expert, runs each expert on its rows, scatters back."""
        rows = x.shape[0]
        slot_expert = chosen.reshape(-1)
        order = torch.argsort(slot_expert)
        slot_row = torch.arange(rows, device=x.device).repeat_interleave(self.top_k)[order]
        counts = torch.bincount(slot_expert, minlength=self.experts).tolist()
        outputs = [expert(rows_of_e)
                   for expert, rows_of_e, count in zip(self.expert_networks, x.index_select(0, slot_row).split(counts),
                                                       counts)
                   if count > 0]
        weighted = torch.cat(outputs) * gates.reshape(-1)[order][:, None]
        return x.new_zeros(rows, weighted.shape[1]).index_add(0, slot_row, weighted)


class BoF4096(nn.Module):
    def __init__(self, features=FEATURES, classes=CLASSES, fc=4096, packed=True):
        super().__init__()
        del packed  # no sequence layer
        self.input_norm = batch_norm(features)
        self.input_dropout = nn.Dropout(0.3)
        self.fc1 = dense(features, fc, bias=False)
        self.norm1 = batch_norm(fc)
        self.dropout1 = nn.Dropout(0.3)
        self.fc2 = dense(fc, fc, bias=False)
        self.norm2 = batch_norm(fc)
        self.logits = dense(fc, classes)

    def forward(self, video, lengths):
        x = self.input_dropout(normalize_frames(self.input_norm, video))
        valid = frame_mask(lengths, video.shape[1], video.device)
        pooled = x.masked_fill(~valid[..., None], float("-inf")).amax(dim=1)
        h = self.dropout1(torch.relu(self.norm1(self.fc1(pooled))))
        h = torch.relu(self.norm2(self.fc2(h)))
        return self.logits(h), video.new_zeros(())


class SimpleLSTM2048(nn.Module):
    def __init__(self, features=FEATURES, classes=CLASSES, hidden=2048, layers=2, packed=True):
        super().__init__()
        self.packed = packed
        self.input_norm = batch_norm(features)
        self.lstm = LSTMStack(features, hidden, layers, dropout=0.4)
        self.logits = dense(hidden, classes)

    def forward(self, video, lengths):
        frames = video.shape[1]
        x = normalize_frames(self.input_norm, video)
        if self.packed:
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h, _ = pad_packed_sequence(self.lstm.forward_packed(packed), batch_first=True, total_length=frames)
        else:
            h = self.lstm.forward_padded(x, frame_mask(lengths, frames, video.device))
        return self.logits(time_weighted_sum(h)), video.new_zeros(())


class LSTMMoE512(nn.Module):
    def __init__(self, features=FEATURES, classes=CLASSES, hidden=512, experts=64, top_k=4, expert_units=1024,
                 packed=True):
        super().__init__()
        self.packed = packed
        self.input_norm = batch_norm(features)
        self.lstm1 = LSTMStack(features, hidden, 1, dropout=0.4)
        self.moe = NoisyTopKMoE(hidden, experts, top_k, expert_units, w_importance=0.1, w_load=0.1)
        self.lstm2 = LSTMStack(expert_units, hidden, 1, dropout=0.4)
        self.logits = dense(hidden, classes)

    def forward(self, video, lengths):
        frames = video.shape[1]
        x = normalize_frames(self.input_norm, video)
        if self.packed:
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h1 = self.lstm1.forward_packed(packed)
            m, aux = self.moe(h1.data)
            h2 = self.lstm2.forward_packed(PackedSequence(m, h1.batch_sizes, h1.sorted_indices, h1.unsorted_indices))
            h, _ = pad_packed_sequence(h2, batch_first=True, total_length=frames)
        else:
            valid = frame_mask(lengths, frames, video.device)
            h1 = self.lstm1.forward_padded(x, valid)
            m_valid, aux = self.moe(h1[valid])
            m = h1.new_zeros(*valid.shape, m_valid.shape[1]).index_put((valid,), m_valid)
            h = self.lstm2.forward_padded(m, valid)
        return self.logits(time_weighted_sum(h)), aux


class NetVLAD(nn.Module):
    def __init__(self, features, clusters):
        super().__init__()
        self.assignment = dense(features, clusters, bias=False)
        self.norm = batch_norm(clusters)
        self.centres = nn.Parameter(torch.empty(clusters, features))
        nn.init.xavier_uniform_(self.centres)

    def forward(self, x, valid):
        batch, frames, features = x.shape
        logits = self.assignment(x.reshape(batch * frames, features))
        a = torch.softmax(self.norm(logits), dim=1).view(batch, frames, -1) * valid[..., None]
        v = torch.bmm(a.transpose(1, 2), x) - a.sum(dim=1)[..., None] * self.centres  # [B, K, F]
        v = F.normalize(v, dim=2, eps=1e-6)
        return F.normalize(v.reshape(batch, -1), dim=1, eps=1e-6)


class ContextGating(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.gate = dense(features, features, bias=False)
        self.norm = batch_norm(features)

    def forward(self, x):
        return x * torch.sigmoid(self.norm(self.gate(x)))


class MoeClassifier(nn.Module):
    def __init__(self, features, classes, mixtures):
        super().__init__()
        self.classes, self.mixtures = classes, mixtures
        self.gates = dense(features, classes * (mixtures + 1), bias=False)
        self.experts = dense(features, classes * mixtures)

    def forward(self, x):
        gates = torch.softmax(self.gates(x).view(-1, self.classes, self.mixtures + 1), dim=2)
        experts = torch.sigmoid(self.experts(x).view(-1, self.classes, self.mixtures))
        return (gates[..., :self.mixtures] * experts).sum(dim=2)


class GatedNetVLAD(nn.Module):
    """Returns probabilities (the spec's loss reads `on: probabilities`)."""
    outputs_probabilities = True

    def __init__(self, classes=CLASSES, clusters=256, audio_clusters=128, hidden=1024, mixtures=2, packed=True):
        super().__init__()
        del packed  # no sequence layer
        self.rgb_norm, self.audio_norm = batch_norm(1024), batch_norm(128)
        self.rgb, self.audio = NetVLAD(1024, clusters), NetVLAD(128, audio_clusters)
        self.hidden = dense(clusters * 1024 + audio_clusters * 128, hidden, bias=False)
        self.hidden_norm = batch_norm(hidden)
        self.hidden_gating = ContextGating(hidden)
        self.moe = MoeClassifier(hidden, classes, mixtures)
        self.probability_gating = ContextGating(classes)

    def forward(self, video, lengths):
        video = F.normalize(video, dim=2, eps=1e-6)  # the starter input's normalize: l2
        valid = frame_mask(lengths, video.shape[1], video.device)
        rgb = self.rgb(normalize_frames(self.rgb_norm, video[..., :1024].contiguous()), valid)
        audio = self.audio(normalize_frames(self.audio_norm, video[..., 1024:].contiguous()), valid)
        h = self.hidden_gating(self.hidden_norm(self.hidden(torch.cat([rgb, audio], dim=1))))
        return self.probability_gating(self.moe(h)), video.new_zeros(())


# Spec file (relative to the repository root), model class, the paper's batch size and the
# spec's optimizer.
MODELS = {
    "BoF_4096": ("specs/bof_4096.ynet", BoF4096, 512, "rmsprop"),
    "Simple_LSTM_2048": ("specs/simple_lstm_2048.ynet", SimpleLSTM2048, 256, "rmsprop"),
    "LSTM_MoE_512": ("specs/lstm_moe_512.ynet", LSTMMoE512, 128, "rmsprop"),
    "Gated_NetVLAD": ("specs/willow_gated_netvlad.ynet", GatedNetVLAD, 80, "adam"),
}


def trainable_parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def parameter_count(model):
    return sum(p.numel() for p in trainable_parameters(model))


def training_loss(model, outputs, labels, aux_loss):
    """Sigmoid cross-entropy summed over classes, averaged over the batch, plus the MoE losses; on
    probabilities for the models that output them."""
    if getattr(model, "outputs_probabilities", False):
        return F.binary_cross_entropy(outputs.clamp(1e-7, 1 - 1e-7), labels, reduction="sum") / outputs.shape[0] + aux_loss
    return F.binary_cross_entropy_with_logits(outputs, labels, reduction="sum") / outputs.shape[0] + aux_loss


def optimizer(kind, model, lr):
    """The spec's optimizer: rmsprop (below) or Adam (TensorFlow's defaults, as ynet's)."""
    if kind == "adam":
        return torch.optim.Adam(trainable_parameters(model), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    return rmsprop(model, lr)


def rmsprop(model, lr):
    """The specs' RMSProp (decay 0.9, epsilon 1e-10). PyTorch starts the mean square at 0 where
    TensorFlow 1 starts it at 1 and adds epsilon outside the square root: the same work per step."""
    return torch.optim.RMSprop(trainable_parameters(model), lr=lr, alpha=0.9, eps=1e-10)
