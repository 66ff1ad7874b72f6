"""The INSTREAM client against a real clamd (tests/clamd_server.py): EICAR found, a clean PDF passes, a daemon
that is not there is « unavailable », never « clean »."""
import pytest

from agir.documents import scan
from tests.documents import samples


def test_eicar_is_infected_and_a_clean_pdf_is_clean(clamd_socket):
    config = {"CLAMD_SOCKET": clamd_socket}
    assert scan.ping(config)
    verdict = scan.scan_bytes(samples.EICAR, config)
    assert verdict.infected and verdict.signature
    assert scan.scan_bytes(samples.pdf(body_comment=b"%" + samples.EICAR + b"\n"), config).infected
    assert scan.scan_bytes(samples.pdf(), config) == scan.Verdict(False)
    big = samples.pdf() + b"%" * (3 * 1024 * 1024)  # several INSTREAM chunks
    assert scan.scan_bytes(big, config) == scan.Verdict(False)


def test_no_scanner_is_unavailable_never_clean(tmp_path, monkeypatch):
    monkeypatch.delenv("AGIR_CLAMD_SOCKET", raising=False)
    monkeypatch.delenv("AGIR_CLAMD_HOST", raising=False)
    with pytest.raises(scan.ScannerUnavailable):
        scan.scan_bytes(samples.pdf(), {})
    with pytest.raises(scan.ScannerUnavailable):
        scan.scan_bytes(samples.pdf(), {"CLAMD_SOCKET": str(tmp_path / "absent.sock")})
    assert not scan.ping({"CLAMD_SOCKET": str(tmp_path / "absent.sock")})
