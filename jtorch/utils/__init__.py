"""torch.utils: hooks, data loading, TensorBoard writing, checkpointing."""
