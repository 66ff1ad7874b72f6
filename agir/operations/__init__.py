"""Operations: verb_noun functions that check the rule, mutate, flush, audit — and never commit."""
