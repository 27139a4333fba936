// The .ynet model-spec language. The parser is generated at build time; see docs/language.md.
grammar Ynet;

file        : item* EOF ;

// Every item parses everywhere; the checker reports items used in the wrong place (e.g. `input`
// outside a model block), which gives better messages than a syntax error and lets an included file
// hold either top-level items or model items.
item        : includeDecl
            | paramDecl
            | modelDecl
            | trainDecl
            | inputDecl
            | labelsDecl
            | lossDecl
            | outputDecl
            | assignment
            ;

includeDecl : 'include' STRING ;
paramDecl   : 'param' IDENT '=' expr ;
modelDecl   : 'model' IDENT '{' item* '}' ;
trainDecl   : 'train' '{' setting* '}' ;
setting     : name '=' expr ;
inputDecl   : 'input' IDENT '=' call ;
labelsDecl  : 'labels' IDENT '=' call ;
lossDecl    : 'loss' expr ;
outputDecl  : 'output' expr ;
assignment  : IDENT '=' expr ;

// `a -> B -> C(1)`: every stage after the first is a layer applied to the result so far.
expr        : primary ('->' primary)* ;

primary     : call                              # callPrimary
            | NUMBER unit?                      # numberPrimary
            | STRING                            # stringPrimary
            | ('true' | 'false')                # boolPrimary
            | IDENT ('.' name)*                 # namePrimary
            | '(' expr ')'                      # parenPrimary
            | '{' expr '}'                      # networkPrimary
            | 'repeat' primary '{' expr '}'     # repeatPrimary
            ;

call        : IDENT '(' (argument (',' argument)* ','?)? ')' ;
argument    : (name ':')? expr ;
unit        : 'samples' | 'steps' ;

// Words that are keywords in one place but plain names where a name is expected.
name        : IDENT | 'samples' | 'steps' | 'input' | 'labels' | 'loss' | 'output' | 'model'
            | 'train' | 'param' | 'include' | 'repeat' ;

NUMBER      : '-'? DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? [kMG]? ;
STRING      : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
IDENT       : [a-zA-Z_] [a-zA-Z_0-9]* ;
COMMENT     : ('#' | '//') ~[\r\n]* -> skip ;
WS          : [ \t\r\n]+ -> skip ;

fragment DIGITS : [0-9]+ ;
