"""A small multipart/form-data reader, so the sandbox needs no python-multipart."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormFile:
    filename: str | None
    content_type: str
    data: bytes


def _params(header_value: str) -> dict[str, str]:
    params = {}
    for item in header_value.split(";")[1:]:
        key, _, value = item.strip().partition("=")
        params[key.lower()] = value.strip().strip('"')
    return params


def parse_files(content_type: str, body: bytes) -> dict[str, FormFile]:
    """Every part of a multipart/form-data body by field name; ValueError when it is not one."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError("not multipart/form-data")
    boundary = _params(content_type).get("boundary")
    if not boundary:
        raise ValueError("multipart body without boundary")
    files = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, separator, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("multipart part without headers")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = _params(headers.get("content-disposition", ""))
        if "name" in disposition:
            files[disposition["name"]] = FormFile(
                filename=disposition.get("filename"),
                content_type=headers.get("content-type", "application/octet-stream"),
                data=data.removesuffix(b"\r\n"),
            )
    return files
