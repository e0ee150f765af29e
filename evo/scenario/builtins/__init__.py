"""The built-in scenarios, as TOML files (`evo scenarios` lists them)."""
