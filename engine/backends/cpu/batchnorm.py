"""Placeholder: kernels of this family are being written."""
