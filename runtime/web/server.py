"""``hierattn-serve``: serve the web demo with the headers that let ONNX Runtime Web use threads.

Multi-threaded WebAssembly needs a cross-origin isolated page: ``Cross-Origin-Opener-Policy:
same-origin`` and ``Cross-Origin-Embedder-Policy: require-corp`` on every response, and a secure
context (https, or http on localhost). The model given with ``--model`` is served at
``models/model.onnx`` (sidecar ``models/model.onnx.json``), the page's default, or at
``models/model.tflite`` (the page opened with ``?model=models/model.tflite``). Standard library only.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import typer

from ..console import log, run_or_exit
from ..defaults import default_model_path
from ..errors import UsageError
from .assets import model_with_sidecar, web_demo_dir

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}
MODEL_STEM = "models/model"


def model_url(model: Path) -> str:
    """Where the page finds ``model`` (relative to the page): ``models/model.onnx`` or ``models/model.tflite``."""
    return MODEL_STEM + model.suffix.lower()


class IsolatedHandler(SimpleHTTPRequestHandler):
    """Static files with the isolation headers, correct types for .mjs/.wasm, and mapped model files."""

    # Not a ClassVar: it overrides SimpleHTTPRequestHandler.extensions_map, which typeshed declares per instance.
    extensions_map: dict[str, str] = {  # noqa: RUF012
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".onnx": "application/octet-stream",
        ".json": "application/json",
    }

    def __init__(self, *args, mapped: dict[str, Path], quiet: bool, isolated: bool = True, **kwargs) -> None:
        self.mapped = mapped
        self.quiet = quiet
        self.isolated = isolated
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        target = self.mapped.get(unquote(urlsplit(path).path))
        return str(target) if target is not None else super().translate_path(path)

    def end_headers(self) -> None:
        for name, value in ISOLATION_HEADERS.items() if self.isolated else ():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # `format`: the base class's parameter name
        if not self.quiet:
            super().log_message(format, *args)


def make_server(model: Path, host: str, port: int, quiet: bool = True, cert: Path | None = None,
                key: Path | None = None, isolated: bool = True) -> ThreadingHTTPServer:
    """A server for the page and ``model`` (not started); port 0 picks a free port.

    ``isolated=False`` leaves out the isolation headers, as a static host that cannot set them does.
    """
    root = web_demo_dir()
    path, sidecar = model_with_sidecar(model)
    url = model_url(path)
    mapped = {f"/{url}": path, f"/{url}.json": sidecar}
    handler = partial(IsolatedHandler, directory=str(root), mapped=mapped, quiet=quiet, isolated=isolated)
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port.") from None
    if cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            server.server_close()
            raise UsageError(f"cannot load --cert {cert} / --key {key}: {exc}") from None
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


@contextmanager
def serving(model: Path, host: str = "127.0.0.1", port: int = 0, isolated: bool = True) -> Iterator[str]:
    """Serve the page in a background thread; yields its base URL (``http://127.0.0.1:PORT/``)."""
    server = make_server(model, host, port, isolated=isolated)
    thread = threading.Thread(target=server.serve_forever, name="hierattn-serve", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def lan_addresses() -> list[str]:
    """This machine's addresses a phone on the same network could reach (best effort)."""
    addresses = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            addresses.add(s.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in addresses if not a.startswith("127."))


LOOPBACK = ("127.0.0.1", "localhost", "::1")
app = typer.Typer(add_completion=False, help=(__doc__ or "").partition("\n")[0])


@app.command()
def main(
    model: Path | None = typer.Option(None, "--model", help="Exported .onnx or .tflite (its .json sidecar beside it); default: the bundled demo model."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on: this machine only by default; 0.0.0.0 opens the page and the model to the LAN, so a phone can open them."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    cert: Path | None = typer.Option(None, "--cert", help="TLS certificate (PEM): serve https, which phones need for threads."),
    key: Path | None = typer.Option(None, "--key", help="TLS private key (PEM) for --cert."),
    isolation: bool = typer.Option(True, "--isolation/--no-isolation", help="Send the COOP/COEP headers; --no-isolation shows the single-thread fallback of hosts that cannot."),
    verbose: bool = typer.Option(False, "--verbose", help="Log every request."),
) -> None:
    """Serve web_demo/ and MODEL with the cross-origin isolation headers, until Ctrl-C."""

    def job() -> tuple[ThreadingHTTPServer, Path]:
        chosen = model or default_model_path()
        if chosen is None:
            raise UsageError("no --model given and the bundled demo model is missing; pass --model.")
        if key is not None and cert is None:
            raise UsageError("--key needs --cert.")
        return make_server(chosen, host, port, quiet=not verbose, cert=cert, key=key, isolated=isolation), chosen

    server, server_model = run_or_exit(job)
    scheme = "https" if cert else "http"
    bound = server.server_address[1]
    page = "" if server_model.suffix.lower() == ".onnx" else f"?model={model_url(server_model)}"
    log(f"serving {web_demo_dir()} at {scheme}://127.0.0.1:{bound}/{page} (Ctrl-C stops)")
    if host not in LOOPBACK:
        log(f"note: listening on {host}: any device on this network can open the page and download the model")
    for address in lan_addresses() if host == "0.0.0.0" else []:
        note = "" if cert else " (plain http off localhost: the browser runs one thread; see docs/web.md)"
        log(f"  on your phone: {scheme}://{address}:{bound}/{page}{note}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    app()
