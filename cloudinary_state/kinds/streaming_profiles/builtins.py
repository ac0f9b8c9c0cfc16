"""The built-in ("predefined") streaming profiles every account has, and their definitions.

Evidence, tag by tag (tags as in the Admin API reference, cloudinary-admin-api.md):

- Names `[T]`: the official SDKs' live integration tests list the same seven predefined
  profiles: pycloudinary's (reference §11, `[T py]`), and the predefined-profile lists of
  cloudinary_java's `AbstractStreamingProfilesApiTest`, CloudinaryDotNet's
  `StreamingProfileApiTest`, and the cloudinary_gem and cloudinary_php API tests.
- Update allowed, DELETE reverts a modified built-in, DELETE of an unmodified one is a 400
  "Cannot delete predefined profile" `[S][P docstring]` (reference §11).
- Representations `[INF]`, NOT VERIFIED. Cloudinary documents them in the table "Predefined
  streaming profiles" of https://cloudinary.com/documentation/adaptive_bitrate_streaming
  (#predefined_streaming_profiles). The stored copies of that page this tool was built with
  hold only its opening, not the table; its prose says (recalled, also unverified) that the
  4k profile has 8 representations in 16:9 and the sd profile 3, all in 4:3. The ladders
  below follow that shape, with H.264 and bit rates falling by rung. Check them against
  `get_streaming_profile` on an account whose built-ins were never changed, and correct this
  table if they differ (the emulator keeps its own copy: update both, docs/emulator.md).
- Display names `[?]`: not documented here, so never compared: a definition leaves them open.

Where a definition is wrong, nothing is lost: a tombstone plans a revert of a built-in that
is in fact unchanged, the service answers that it cannot delete it, and the revert's
read-back fails naming the representations that differ from this table.
"""

from __future__ import annotations

from types import MappingProxyType

# The ladders share their rungs: each 16:9 profile is the 4k ladder from its top resolution
# down (the wifi one stopping at 360p), and the lean ones a ladder of lower bit rates.
_WIDE = (
    "c_limit,w_3840,h_2160,vc_h264,br_18m",
    "c_limit,w_2560,h_1440,vc_h264,br_12m",
    "c_limit,w_1920,h_1080,vc_h264,br_5.5m",
    "c_limit,w_1280,h_720,vc_h264,br_3.5m",
    "c_limit,w_960,h_540,vc_h264,br_2m",
    "c_limit,w_640,h_360,vc_h264,br_800k",
    "c_limit,w_480,h_270,vc_h264,br_500k",
    "c_limit,w_320,h_180,vc_h264,br_192k",
)
_LEAN = (
    "c_limit,w_1920,h_1080,vc_h264,br_4.5m",
    "c_limit,w_1280,h_720,vc_h264,br_2m",
    "c_limit,w_960,h_540,vc_h264,br_1.2m",
    "c_limit,w_640,h_360,vc_h264,br_500k",
)
_SD = (
    "c_limit,w_640,h_480,vc_h264,br_800k",
    "c_limit,w_480,h_360,vc_h264,br_500k",
    "c_limit,w_320,h_240,vc_h264,br_192k",
)

# name -> the transformation string of each representation, highest rung first
BUILTIN_REPRESENTATIONS = MappingProxyType(
    {
        "4k": _WIDE,
        "full_hd": _WIDE[2:],
        "hd": _WIDE[3:],
        "sd": _SD,
        "full_hd_wifi": _WIDE[2:6],
        "full_hd_lean": _LEAN,
        "hd_lean": _LEAN[1:],
    }
)
