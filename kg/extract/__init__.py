"""Extraction: spaCy components, lexicons and vocabulary, the rules by topic, the learned
recogniser and linker, and the assembly of one record per paper."""
