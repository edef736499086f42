"""Key and certificate files on disk: passphrase rules, strong encryption, exact modes, nothing followed or overwritten.

- Passphrases that protect new keys have at least :data:`MIN_PASSPHRASE_CHARS` characters and at most
  :data:`MAX_PASSPHRASE_BYTES` bytes (OpenSSL's limit for PEM passphrases).
- PEM private keys are PKCS#8 ``ENCRYPTED PRIVATE KEY`` with PBES2: PBKDF2-HMAC-SHA256 with
  :data:`PBKDF2_ITERATIONS` iterations and AES-256-CBC (cryptography's ``BestAvailableEncryption``
  uses 2,048 iterations for PEM and has no setting for more, so the structure is assembled here and
  read back by any PKCS#8 reader: OpenSSL, cryptography, pyHanko). PKCS#12 files use the same KDF
  and cipher for the key bag and an HMAC-SHA256 MAC, over the key and the (public, unencrypted)
  certificates, whose key derivation (RFC 7292 appendix B) runs the same number of iterations.
- The key folder is created mode 0700; every file is created with ``O_CREAT | O_EXCL | O_NOFOLLOW``
  inside the folder's descriptor and then set to its exact mode (keys 0600, certificates 0644),
  whatever the umask. A name that exists in any form, a dangling symbolic link included, is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from asn1crypto import algos
from asn1crypto import cms as asn1_cms
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import Certificate

from une_eval.errors import SigningError

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PBKDF2_ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256
MIN_PASSPHRASE_CHARS = 12
MAX_PASSPHRASE_BYTES = 1023
PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644
FOLDER_MODE = 0o700


def check_passphrase_length(passphrase: bytes) -> None:
    """Refuse a passphrase longer than the key formats allow (any key, new or existing)."""
    if len(passphrase) > MAX_PASSPHRASE_BYTES:
        raise SigningError(
            f"the passphrase is {len(passphrase)} bytes long; at most {MAX_PASSPHRASE_BYTES} are supported"
        )


def check_new_passphrase(passphrase: bytes) -> None:
    """Refuse a passphrase too short (or too long) to protect a new private key."""
    check_passphrase_length(passphrase)
    if len(passphrase.decode("utf-8", errors="replace")) < MIN_PASSPHRASE_CHARS:
        raise SigningError(
            f"the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters to protect new private keys"
        )


def _pbes2(passphrase: bytes, plain: bytes) -> tuple[algos.EncryptionAlgorithm, bytes]:
    salt, iv = secrets.token_bytes(16), secrets.token_bytes(16)
    key = PBKDF2HMAC(hashes.SHA256(), 32, salt, PBKDF2_ITERATIONS).derive(passphrase)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    kdf = algos.KdfAlgorithm(
        {
            "algorithm": "pbkdf2",
            "parameters": {
                "salt": algos.Pbkdf2Salt(name="specified", value=salt),
                "iteration_count": PBKDF2_ITERATIONS,
                "prf": {"algorithm": "sha256", "parameters": None},
            },
        }
    )
    scheme = algos.EncryptionAlgorithm({"algorithm": "aes256_cbc", "parameters": iv})
    algorithm = algos.EncryptionAlgorithm(
        {"algorithm": "pbes2", "parameters": {"key_derivation_func": kdf, "encryption_scheme": scheme}}
    )
    return algorithm, sealed


def encrypted_pkcs8_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    """The key as PEM ``ENCRYPTED PRIVATE KEY`` (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)."""
    plain = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    algorithm, sealed = _pbes2(passphrase, plain)
    info = asn1_keys.EncryptedPrivateKeyInfo({"encryption_algorithm": algorithm, "encrypted_data": sealed})
    armored: bytes = asn1_pem.armor("ENCRYPTED PRIVATE KEY", info.dump())
    return armored


def encrypted_pkcs12(
    name: bytes, key: PrivateKey, cert: Certificate, chain: list[Certificate], passphrase: bytes
) -> bytes:
    """Key, certificate and chain as PKCS#12: the key in a PBES2 AES-256-CBC bag, an HMAC-SHA256 MAC over all.

    Both key derivations (the key bag's PBKDF2 and the MAC's, RFC 7292 appendix B) run
    :data:`PBKDF2_ITERATIONS` iterations: cryptography keeps the MAC at 2,048, and since the MAC key
    comes from the same passphrase, a cheap MAC would let anyone test guesses cheaply. The certificates
    are in plain bags, as RFC 7292 allows: they are public (the same ones are written beside the key and
    embedded in every signature), so encrypting them protects nothing and would cost every signing run a
    third derivation. The MAC still covers them. The result is read back before it is returned.
    """
    pfx = asn1_pkcs12.Pfx.load(pkcs12.serialize_key_and_certificates(name, key, cert, chain, _no_encryption()))
    plain_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    safe = asn1_pkcs12.AuthenticatedSafe([_shroud_key(info, plain_key, passphrase) for info in pfx.authenticated_safe])
    pfx["auth_safe"] = asn1_cms.ContentInfo({"content_type": "data", "content": safe.dump()})
    salt = secrets.token_bytes(16)
    try:
        mac_key = _pkcs12_mac_key(passphrase, salt, PBKDF2_ITERATIONS)
        digest = hmac.new(mac_key, pfx["auth_safe"]["content"].native, hashlib.sha256).digest()
        pfx["mac_data"] = {
            "mac": {"digest_algorithm": {"algorithm": "sha256"}, "digest": digest},
            "mac_salt": salt,
            "iterations": PBKDF2_ITERATIONS,
        }
        data: bytes = pfx.dump(force=True)
        read_key, read_cert, _ = pkcs12.load_key_and_certificates(data, passphrase)  # read back: the MAC must check
    except ValueError:  # UnicodeDecodeError included: the MAC key derivation reads the passphrase as text
        raise SigningError("the passphrase cannot protect a PKCS#12 file (it is not valid UTF-8 text)") from None
    if read_key is None or read_cert is None or read_key.public_key() != cert.public_key():
        raise SigningError("the PKCS#12 file written does not hold the key of its certificate")  # never expected
    return data


def _no_encryption() -> serialization.KeySerializationEncryption:
    """Plain bags from cryptography; the key bag is encrypted here (:func:`_shroud_key`) and the MAC added."""
    return serialization.NoEncryption()


def _shroud_key(info: asn1_cms.ContentInfo, plain_key: bytes, passphrase: bytes) -> asn1_cms.ContentInfo:
    """The same safe contents with the plain key bag replaced by a PBES2-encrypted one (same attributes).

    ``plain_key``: the key's PKCS#8 DER, the bag's content (the bag's value is read back by
    :func:`encrypted_pkcs12`, which would refuse any other key).
    """
    if info["content_type"].native != "data":
        raise SigningError("unexpected PKCS#12 layout from cryptography: an encrypted safe where plain was asked")
    bags = asn1_pkcs12.SafeContents.load(info["content"].native)
    out = []
    for bag in bags:
        if bag["bag_id"].native == "key_bag":
            algorithm, sealed = _pbes2(passphrase, plain_key)
            sealed_info = asn1_keys.EncryptedPrivateKeyInfo(
                {"encryption_algorithm": algorithm, "encrypted_data": sealed}
            )
            bag = asn1_pkcs12.SafeBag(
                {"bag_id": "pkcs8_shrouded_key_bag", "bag_value": sealed_info, "bag_attributes": bag["bag_attributes"]}
            )
        out.append(bag)
    return asn1_cms.ContentInfo({"content_type": "data", "content": asn1_pkcs12.SafeContents(out).dump()})


def _pkcs12_mac_key(passphrase: bytes, salt: bytes, iterations: int) -> bytes:
    """The 32-byte HMAC-SHA256 key of RFC 7292 appendix B.2 (ID 3; one block, since SHA-256 gives 32 bytes)."""
    block = 64  # SHA-256's input block size, v in RFC 7292
    password = passphrase.decode("utf-8").encode("utf-16-be") + b"\0\0"

    def fill(value: bytes) -> bytes:
        return (value * (block // len(value) + 1))[: block * -(-len(value) // block)]

    state = hashlib.sha256(bytes([3]) * block + fill(salt) + fill(password)).digest()
    for _ in range(iterations - 1):
        state = hashlib.sha256(state).digest()
    return state


def open_key_folder(folder: Path, *, force: bool) -> tuple[int, bool]:
    """Create ``folder`` mode 0700 (an existing one only with ``force``); return its descriptor and whether it is new.

    An existing folder must be a real folder (not a symbolic link) that no other user can write to,
    or they could swap the trust anchor written there.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(folder, FOLDER_MODE)
        created = True
    except FileExistsError:
        if not force:
            raise SigningError(f"{folder} already exists; choose a new folder (or pass --force to use it)") from None
        created = False
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise SigningError(f"{folder} is not a folder (or is a symbolic link): {exc.strerror}") from None
    if created:
        os.fchmod(fd, FOLDER_MODE)
    elif os.fstat(fd).st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        os.close(fd)
        raise SigningError(f"{folder} is writable by other users; keys need a folder only you can write to")
    return fd, created


def refuse_existing(folder_fd: int, folder: Path, names: list[str]) -> None:
    """Refuse when any of ``names`` exists in the folder, in any form (a dangling symbolic link included)."""
    for name in names:
        try:
            os.lstat(name, dir_fd=folder_fd)
        except FileNotFoundError:
            continue
        raise SigningError(f"{folder / name} already exists; refusing to overwrite it")


def write_new(folder_fd: int, name: str, data: bytes, mode: int) -> None:
    """Create ``name`` in the folder with exactly ``mode``; never follow a link, never replace a file."""
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=folder_fd)
    except FileExistsError:
        raise SigningError(f"{name} already exists; refusing to overwrite it") from None
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), mode)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def remove_written(folder_fd: int, names: list[str]) -> None:
    """Remove files this run created (after a failure part-way), leaving anything else alone."""
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=folder_fd)
