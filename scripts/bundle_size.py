"""Gzipped JavaScript a browser loads for the first view of one page of a production build.

Reads the React Router manifest of `reflex export --frontend-only` (or `reflex run --env prod`):
the entry module, the root route and the page's route module with every import they list, each
counted once, at the size of the precompressed `.gz` file the app serves (files too small to have
one are gzipped here).

    REFLEX_WEB_WORKDIR=/tmp/b/.web reflex export --frontend-only --no-zip --env prod
    python scripts/bundle_size.py /tmp/b/.web/build/client portal/:address/dashboard
"""

import argparse
import gzip
import json
import re
import sys
from pathlib import Path


def first_view_files(manifest: dict, path: str) -> list[str]:
    """Module files of the entry, the root and the route serving `path`."""
    routes = manifest["routes"]
    route = next((r for r in routes.values() if r.get("path") == path), None)
    if route is None:
        sys.exit(f"no route with path {path!r}; known: {sorted(r.get('path', '') for r in routes.values())}")
    files: list[str] = []
    for part in (manifest["entry"], routes["root"], route):
        for name in [part["module"], *part.get("imports", [])]:
            if name not in files:
                files.append(name)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("client_dir", type=Path, help="build/client of the production build")
    parser.add_argument("route", help='route path as in the manifest, e.g. "portal/:address/dashboard"')
    parser.add_argument("--list", action="store_true", help="print every file with its size")
    args = parser.parse_args()
    manifest_file = next(args.client_dir.glob("assets/manifest-*.js"))
    text = manifest_file.read_text()
    manifest = json.loads(re.search(r"=\s*(\{.*\})\s*;?\s*$", text, re.S).group(1))
    files = first_view_files(manifest, args.route) + ["/assets/" + manifest_file.name]
    total = 0
    sizes = []
    for name in files:
        plain = args.client_dir / name.lstrip("/")
        gz = plain.with_name(plain.name + ".gz")
        size = gz.stat().st_size if gz.exists() else len(gzip.compress(plain.read_bytes(), 9))
        total += size
        sizes.append((size, name))
    if args.list:
        for size, name in sorted(sizes, reverse=True):
            print(f"{size / 1024:8.1f} KiB  {name}")
    print(f"{args.route}: {len(files)} files, {total / 1024:.1f} KiB gzipped JavaScript")


if __name__ == "__main__":
    main()
