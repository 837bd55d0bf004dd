"""The payload codec of the `payload_codec` example, for the Python worker.

Each payload is serialized whole (the `Payload` protobuf message, metadata included),
compressed with zlib, and carried as the data of a new payload whose metadata says
`encoding: binary/zlib`. Payloads without that encoding pass through `decode` as they
are. The Rust side is `examples/payload_codec.rs`; both must agree on these bytes.
"""

import zlib
from typing import List, Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/zlib"


class ZlibCodec(PayloadCodec):
    async def encode(self, payloads: Sequence[Payload]) -> List[Payload]:
        return [
            Payload(metadata={"encoding": ENCODING}, data=zlib.compress(p.SerializeToString()))
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> List[Payload]:
        out = []
        for p in payloads:
            if p.metadata.get("encoding", b"") != ENCODING:
                out.append(p)
                continue
            out.append(Payload.FromString(zlib.decompress(p.data)))
        return out
