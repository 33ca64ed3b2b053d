"""The documents' networks as TOML specs, read by ``nn.example(name)``."""
