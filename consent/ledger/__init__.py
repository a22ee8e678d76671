"""The ledger: consent receipts (drafted, minimised, signed), the chain and its proof, erasure,
retention purges and the visitor's record. No Flask: callers pass what a request said."""
