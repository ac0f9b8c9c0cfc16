"""Helpers the tests share; the fixtures built on them are in tests/conftest.py.

- cli_runner: the CLI through its console entry point (`main()`), streams captured.
- emulator: the default emulated cloud, resetting an emulator, the SDK's per-call options.
- harness: a config directory plus an emulator, for the CLI integration tests.
- kinds_emulator: one emulated cloud and an AdminClient on it, for the kind tests.
- plan_fakes: synthetic kinds and states for the pure engine tests.
- strategies_transformation: hypothesis strategies for transformation strings.
"""
