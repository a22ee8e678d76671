"""Policy: the law as data (regions, categories, texts), which banner a place gets, where a visitor is."""
