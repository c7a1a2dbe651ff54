"""Data files shipped with policyparse: the jieba dictionary built by scripts/build_jieba_dictionary.py."""
