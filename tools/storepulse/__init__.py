"""storepulse: the data layer's Python side (database tooling, test kit, synthetic data)."""
