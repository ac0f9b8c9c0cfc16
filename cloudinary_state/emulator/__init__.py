"""The independent Cloudinary Admin API emulator (DESIGN.md §6).

    from cloudinary_state.emulator import EmulatorServer, CloudConfig

    with EmulatorServer([CloudConfig("acme-staging", "key", "secret")]) as emu:
        cloudinary.api.ping(upload_prefix=emu.url, cloud_name="acme-staging",
                            api_key="key", api_secret="secret")

Nothing here imports the rest of the package, and nothing outside the CLI imports this.
"""

from cloudinary_state.emulator.persistence import EmulatorStateError
from cloudinary_state.emulator.server import CloudConfig, EmulatorServer, RequestRecord

__all__ = ["CloudConfig", "EmulatorServer", "EmulatorStateError", "RequestRecord"]
