"""The S3-compatible backend of the documents' store against a real HTTP server on 127.0.0.1 (moto's
ThreadedMotoServer): boto3 puts, gets, lists and deletes over HTTP; the objects in the bucket are ciphertext; the
rotation works there too; an upload through the page lands in the bucket and comes back on download."""
import io
import os

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from agir.documents import store
from agir.documents.store import StoreError
from agir.extensions import db
from models import Document
from tests import factories
from tests.documents import samples

BUCKET = "agir-documents"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _config(endpoint, key=None, old=None, prefix="docs/"):
    return {"DOCUMENTS_BACKEND": "s3", "DOCUMENTS_S3_ENDPOINT": endpoint, "DOCUMENTS_S3_BUCKET": BUCKET,
            "DOCUMENTS_S3_ACCESS_KEY": "test-access", "DOCUMENTS_S3_SECRET_KEY": "test-secret",
            "DOCUMENTS_S3_PREFIX": prefix, "DOCUMENTS_KEY": key or store.new_key_text(), "DOCUMENTS_OLD_KEYS": old}


@pytest.fixture
def bucket(s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test-access",
                          aws_secret_access_key="test-secret")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _names(client):
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_round_trip_over_http_and_ciphertext_in_the_bucket(s3_endpoint, bucket):
    s3 = store.store_from(_config(s3_endpoint))
    key = s3.put(samples.pdf())
    assert _names(bucket) == [f"docs/{key}"]
    raw = bucket.get_object(Bucket=BUCKET, Key=f"docs/{key}")["Body"].read()
    assert raw.startswith(store.MAGIC) and b"/Catalog" not in raw
    assert s3.exists(key) and s3.get(key) == samples.pdf()
    s3.delete(key)
    s3.delete(key)  # idempotent
    assert not s3.exists(key) and _names(bucket) == []
    with pytest.raises(StoreError, match="introuvable"):
        s3.get(key)


def test_rotation_in_the_bucket(s3_endpoint, bucket):
    old, new = store.new_key_text(), store.new_key_text()
    key = store.store_from(_config(s3_endpoint, old)).put(b"\x89PNG fake bytes")
    with pytest.raises(StoreError):
        store.store_from(_config(s3_endpoint, new)).get(key)
    assert store.store_from(_config(s3_endpoint, new, old)).rotate() == {"rotated": 1, "current": 0}
    assert store.store_from(_config(s3_endpoint, new)).get(key) == b"\x89PNG fake bytes"


def test_an_upload_through_the_page_lands_in_the_bucket(app, client, login, world, s3_endpoint, bucket, monkeypatch):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    monkeypatch.setitem(app.extensions, "agir_documents_store", store.store_from(_config(s3_endpoint, prefix="")))
    monkeypatch.setitem(app.config, "CLAMD_SOCKET", None)
    login("sw@example.fr")
    url = f"/persons/{person.id}/documents"
    response = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": factories.csrf_token(client, url), "kind": "caf", "document_on": "2024-01-10",
        "file": (io.BytesIO(samples.image("JPEG")), "attestation.jpg")})
    assert response.status_code == 302
    document = db.session.scalars(select(Document)).one()
    assert _names(bucket) == [document.storage_key] and document.content_type == "image/jpeg"
    assert not any(files for _, _, files in os.walk(app.config["DOCUMENTS_DIR"]))


def test_the_retention_command_deletes_the_bytes_from_the_bucket(app, runner, world, s3_endpoint, bucket,
                                                                  monkeypatch):
    """Issue 18 item 6 for the object store: the bytes of an anonymised file leave the bucket, not only the disk."""
    from datetime import date

    from models import Exit
    monkeypatch.setitem(app.extensions, "agir_documents_store", store.store_from(_config(s3_endpoint, prefix="")))
    person = factories.make_person(world.department, world.agir)
    accompaniment = factories.make_accompaniment(person, world.agir, start=date(2022, 9, 1),
                                                 planned_end=date(2023, 6, 30), current_end=date(2023, 6, 30),
                                                 exit_on=date(2023, 6, 30))
    accompaniment.exit = Exit(exit_on=date(2023, 6, 30), reason="goals_reached")
    kept = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(kept, world.agir, start=date(2023, 1, 1), planned_end=date(2033, 1, 1))
    keys = {}
    for who in (person, kept):
        document = factories.make_document(who, world.agir, "residence_permit", date(2023, 1, 5))
        document.storage_key = store.put(samples.pdf())
        keys[who.id] = document.storage_key
    db.session.commit()
    assert sorted(_names(bucket)) == sorted(keys.values())

    result = runner.invoke(args=["agir", "retention", "--as-of", "2030-01-01"])
    assert result.exit_code == 0, result.output

    assert _names(bucket) == [keys[kept.id]]  # the anonymised file's bytes are gone from the bucket
    assert store.get(keys[kept.id]) == samples.pdf()


def test_bytes_without_a_document_leave_the_bucket_once_a_day_old(app_ctx, s3_endpoint, bucket, monkeypatch):
    """The orphans' sweep (agir.documents.purge.sweep_orphans) reads the objects' dates from the bucket."""
    from datetime import UTC, datetime, timedelta

    from agir.documents.purge import sweep_orphans
    monkeypatch.setitem(app_ctx.extensions, "agir_documents_store", store.store_from(_config(s3_endpoint)))
    orphan = store.put(samples.pdf())
    written = store.current_store().backend.modified(orphan)
    assert abs(written - datetime.now(UTC)) < timedelta(minutes=5)
    assert store.current_store().backend.modified("0" * 32) is None
    assert sweep_orphans(db.session) == 0 and _names(bucket) == [f"docs/{orphan}"]  # written just now
    assert sweep_orphans(db.session, now=datetime.now(UTC) + timedelta(days=2)) == 1
    assert _names(bucket) == []
