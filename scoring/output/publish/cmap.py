"""The PDF's text layer as the page wrote it. Chromium (Skia) writes each embedded font's ``ToUnicode`` map
by reading the font's character map backwards, and where a CJK font draws a radical and an ideograph with
one glyph (Noto Sans CJK draws ⼯ U+2F2F and 工 U+5DE5 alike) the radical wins: the printed 工作 is copied,
searched and read aloud as ⼯作, 人民 as ⼈⺠. :func:`readable_cmap` maps every radical of such a map to its
equivalent unified ideograph (the Kangxi radicals by NFKC, the CJK Radicals Supplement by Unicode's
EquivalentUnifiedIdeograph.txt), so the PDF's text is the page's text."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["equivalent", "readable_cmap"]

# EquivalentUnifiedIdeograph.txt (Unicode 14.0, by Ken Lunde), its CJK Radicals Supplement lines: radical
# → the unified ideograph drawn alike. U+2E80 and U+2E9A have none; the Kangxi radicals map by NFKC.
SUPPLEMENT_TABLE = """
2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 2E89:5202 2E8A:535C
2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 2E91:21BC2 2E92:5DF3 2E93:5E7A 2E94:5F51
2E95:5F50 2E96:5FC4 2E97:5FC3 2E98:624C 2E99:6535 2E9B:65E1 2E9C:65E5 2E9D:6708 2E9E:6B7A 2E9F:6BCD
2EA0:6C11 2EA1:6C35 2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B 2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B
2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7 2EAF:7CF9 2EB0:7E9F 2EB1:7F53 2EB2:7F52 2EB3:34C1
2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C 2EB8:2634B 2EB9:8002 2EBA:8080 2EBB:807F 2EBC:8089 2EBD:26951
2EBE:8279 2EBF:8279 2EC0:8279 2EC1:864E 2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1 2EC6:89D2 2EC7:278B2
2EC8:8BA0 2EC9:8D1D 2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6 2ECF:9091 2ED0:9485 2ED1:9577
2ED2:9578 2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752 2ED9:97E6 2EDA:9875 2EDB:98CE
2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810 2EE2:9A6C 2EE3:9AA8 2EE4:9B3C 2EE5:9C7C
2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 2EEA:9EFE 2EEB:6589 2EEC:9F50 2EED:6B6F 2EEE:9F7F 2EEF:7ADC
2EF0:9F99 2EF1:9F9C 2EF2:4E80 2EF3:9F9F
"""
SUPPLEMENT = {int(a, 16): int(b, 16) for a, b in re.findall(r"(\w+):(\w+)", SUPPLEMENT_TABLE)}
KANGXI = range(0x2F00, 0x2FD6)

HEX = r"<([0-9A-Fa-f]+)>"
BLOCK = re.compile(r"\d+\s+begin(bfchar|bfrange)\s*(.*?)\s*end\1", re.S)
CHAR = re.compile(rf"{HEX}\s*{HEX}")
RANGE = re.compile(rf"{HEX}\s*{HEX}\s*(?:{HEX}|\[([^\]]*)\])")


def equivalent(text: str) -> str:
    """``text`` with every CJK radical replaced by the unified ideograph drawn alike."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp in KANGXI:
            ch = unicodedata.normalize("NFKC", ch)
        elif cp in SUPPLEMENT:
            ch = chr(SUPPLEMENT[cp])
        out.append(ch)
    return "".join(out)


def _text(hex_utf16: str) -> str:
    return bytes.fromhex(hex_utf16).decode("utf-16-be", errors="surrogatepass")


def _hex(text: str) -> str:
    return text.encode("utf-16-be", errors="surrogatepass").hex().upper()


def _has_radical(text: str) -> bool:
    return any(ord(c) in KANGXI or ord(c) in SUPPLEMENT for c in text)


def readable_cmap(cmap: str) -> str:
    """A ``ToUnicode`` CMap with its radicals mapped to unified ideographs; ranges that reach a radical
    are written out code by code (a range's codes count up, an ideograph's do not)."""
    if not re.search(r"<2[EF][0-9A-Fa-f]{2}>", cmap):
        return cmap
    chars: list[tuple[str, str]] = []
    ranges: list[str] = []
    for kind, body in BLOCK.findall(cmap):
        if kind == "bfchar":
            chars += [(src, equivalent(_text(dst))) for src, dst in CHAR.findall(body)]
            continue
        for line in RANGE.finditer(body):
            lo, hi, start, array = line.groups()
            width = len(lo)
            codes = range(int(lo, 16), int(hi, 16) + 1)
            if array is not None:
                targets = [_text(t) for t in re.findall(HEX, array)]
            else:
                first = _text(start)
                targets = [first[:-1] + chr(ord(first[-1]) + i) for i in range(len(codes))]
            if any(_has_radical(t) for t in targets):
                chars += [(f"{c:0{width}X}", equivalent(t)) for c, t in zip(codes, targets, strict=False)]
            else:
                ranges.append(line.group(0))
    blocks = []
    for i in range(0, len(chars), 100):  # at most 100 entries a block
        part = chars[i : i + 100]
        lines = "\n".join(f"<{src}> <{_hex(dst)}>" for src, dst in part)
        blocks.append(f"{len(part)} beginbfchar\n{lines}\nendbfchar")
    for i in range(0, len(ranges), 100):
        part_r = ranges[i : i + 100]
        blocks.append(f"{len(part_r)} beginbfrange\n" + "\n".join(part_r) + "\nendbfrange")
    found = list(BLOCK.finditer(cmap))
    if not found:
        return cmap
    return cmap[: found[0].start()] + "\n".join(blocks) + cmap[found[-1].end() :]
