#!/usr/bin/env python3
"""Draws the app icons (frontend/static/icons/icon-{192,512}.png): a white
"A" on Agora's teal. Run once; the PNGs are committed. Pure Python."""
import struct, zlib, sys, os

TEAL = (0x14, 0x54, 0x5b)
SHAPES = [
    [(0.44, 0.2), (0.56, 0.2), (0.36, 0.8), (0.22, 0.8)],
    [(0.44, 0.2), (0.56, 0.2), (0.78, 0.8), (0.64, 0.8)],
    [(0.34, 0.57), (0.66, 0.57), (0.66, 0.67), (0.34, 0.67)],
]

def inside(x, y, poly):
    c = False
    n = len(poly)
    for i in range(n):
        (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c

def png(size):
    ss = 3
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            hit = 0
            for sy in range(ss):
                for sx in range(ss):
                    x = (px + (sx + 0.5) / ss) / size
                    y = (py + (sy + 0.5) / ss) / size
                    if any(inside(x, y, p) for p in SHAPES):
                        hit += 1
            a = hit / (ss * ss)
            row += bytes(round(c + (255 - c) * a) for c in TEAL)
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

out = sys.argv[1] if len(sys.argv) > 1 else "frontend/static/icons"
os.makedirs(out, exist_ok=True)
for size in (192, 512):
    with open(os.path.join(out, f"icon-{size}.png"), "wb") as f:
        f.write(png(size))
