"""A stand-in for PyTorch's CPU index, to re-lock (make lock) where that index cannot be reached.

uv resolves torch's CPU build (+cpu) for every Linux target from the index named ``pytorch-cpu``. This
writes a PEP 503 index in DIR whose torch entries are the real filenames of one CPU release (every
CPython 3.10-3.14 × x86-64/aarch64), each a wheel holding only the metadata of a real CPU wheel you have
(its dependencies are the same on every target). The lock it gives names the real versions; installing
still takes the real wheels from the real index (or the fallback). Use:

    python tools/standin_cpu_index.py /path/to/torch-X+cpu-...whl /tmp/cpu-index
    make lock LOCK_ARGS="--index pytorch-cpu=file:///tmp/cpu-index"
"""
import sys
import zipfile
from pathlib import Path

PYTHONS = ("cp310", "cp311", "cp312", "cp313", "cp314")
MACHINES = ("manylinux_2_28_x86_64", "manylinux_2_28_aarch64")


def main(wheel: Path, out: Path) -> None:
    name, version = wheel.name.split("-")[:2]
    if not version.endswith("+cpu"):
        raise SystemExit(f"expected a CPU build of torch (version ending in +cpu), got {wheel.name}")
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(f"{info}/METADATA")
    folder = out / "torch"
    folder.mkdir(parents=True, exist_ok=True)
    links = []
    for py in PYTHONS:
        for machine in MACHINES:
            tag = f"{py}-{py}-{machine}"
            filename = f"{name}-{version}-{tag}.whl"
            with zipfile.ZipFile(folder / filename, "w") as z:
                z.writestr(f"{info}/METADATA", metadata)
                z.writestr(f"{info}/WHEEL", f"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: {tag}\n")
                z.writestr(f"{info}/RECORD", "")
            links.append(f'<a href="{filename}">{filename}</a><br>')
    page = "<!DOCTYPE html><html><body>\n{}\n</body></html>\n"
    (folder / "index.html").write_text(page.format("\n".join(links)))
    (out / "index.html").write_text(page.format('<a href="torch/">torch</a>'))
    print(f"stand-in CPU index with {len(links)} torch {version} wheels in {out}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
