"""Read a Windows shortcut (.lnk, [MS-SHLLINK]) the way Explorer starts it: target, arguments,
working folder. The test starts the installed app from what the shortcut says, not from a path it
assumes. `python3 lnk.py FILE.lnk` prints them as JSON."""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

HEADER_SIZE = 0x4C
LINK_CLSID = bytes.fromhex("0114020000000000c000000000000046")
HAS_ID_LIST, HAS_LINK_INFO, HAS_NAME, HAS_RELATIVE_PATH, HAS_WORKING_DIR, HAS_ARGUMENTS, HAS_ICON, IS_UNICODE = (
    1 << i for i in range(8))


def read_lnk(path: str | Path) -> dict:
    data = Path(path).read_bytes()
    if len(data) < HEADER_SIZE or struct.unpack_from("<I", data, 0)[0] != HEADER_SIZE \
            or data[4:20] != LINK_CLSID:
        raise ValueError(f"{path}: not a shell link")
    flags = struct.unpack_from("<I", data, 0x14)[0]
    show = struct.unpack_from("<I", data, 0x3C)[0]
    pos = HEADER_SIZE
    if flags & HAS_ID_LIST:
        pos += 2 + struct.unpack_from("<H", data, pos)[0]
    target = None
    if flags & HAS_LINK_INFO:
        size, header_size, info_flags, _vol, base_off, _net, suffix_off = struct.unpack_from("<7I", data, pos)
        if info_flags & 1:   # VolumeIDAndLocalBasePath
            if header_size >= 0x24:
                base_u = struct.unpack_from("<I", data, pos + 0x1C)[0]
                target = _utf16z(data, pos + base_u)
            else:
                target = _ansiz(data, pos + base_off)
        pos += size
    strings = {}
    for flag, key in ((HAS_NAME, "description"), (HAS_RELATIVE_PATH, "relative_path"),
                      (HAS_WORKING_DIR, "working_dir"), (HAS_ARGUMENTS, "arguments"), (HAS_ICON, "icon")):
        if flags & flag:
            count = struct.unpack_from("<H", data, pos)[0]
            pos += 2
            if flags & IS_UNICODE:
                strings[key] = data[pos:pos + 2 * count].decode("utf-16-le").rstrip("\0")  # wine counts the NUL
                pos += 2 * count
            else:
                strings[key] = data[pos:pos + count].decode("mbcs" if sys.platform == "win32" else "latin-1")
                pos += count
    return {"target": target, "show_command": show, **strings}


def _utf16z(data: bytes, pos: int) -> str:
    end = pos
    while data[end:end + 2] != b"\0\0":
        end += 2
    return data[pos:end].decode("utf-16-le")


def _ansiz(data: bytes, pos: int) -> str:
    return data[pos:data.index(b"\0", pos)].decode("latin-1")


if __name__ == "__main__":
    print(json.dumps(read_lnk(sys.argv[1]), ensure_ascii=False))
