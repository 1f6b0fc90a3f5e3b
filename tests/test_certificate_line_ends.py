"""A certificate file saved on Windows (CRLF line ends, as Python's text mode writes there) is the
same certificate: the center registers it as the program writes PEM, so the school's packets,
which carry the certificate byte for byte, are accepted."""

from __future__ import annotations

from jiaoyuapp.exchange import identity, peers
from jiaoyuapp.school import init_school, open_school


def test_a_crlf_certificate_file_reads_as_the_school_wrote_it(tmp_path):
    school = open_school(tmp_path / "school.db")
    try:
        init_school(school, code="5100000001", name="演示村小学", township="演示镇", county="演示县")
        identity.create(school, kind="school", code="5100000001", name="演示村小学", passphrase="测试口令-12345678")
        pem = identity.active(school)["certificate"]
    finally:
        school.close()
    crlf = tmp_path / "school-certificate.pem"
    crlf.write_bytes(pem.replace("\n", "\r\n").encode("ascii"))
    assert peers.read_certificate(str(crlf)) == pem
    assert peers.read_certificate(pem.replace("\n", "\r\n")) == pem
    assert peers.read_certificate(pem) == pem
