package io.verdict.persistence.models;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a zip's central directory: entry names and the Unix file type that
 * {@link java.util.zip.ZipFile} does not expose (a symbolic link is a regular-looking entry whose
 * external attributes say {@code S_IFLNK}), declared sizes and where each entry's data lies.
 * Handles zip64 end records and zip64 extra fields; refuses multi-disk, encrypted and
 * non-stored/deflated entries, and a central directory that does not end where the end record
 * starts (data prepended to the archive, which {@link java.util.zip.ZipFile} would shift every
 * offset by, so it could read other records than these).
 *
 * <p>Each entry occupies {@code [local header offset, data end)}, the data end being the local
 * header's 30 bytes, its name and extra field, then the compressed size from the central
 * directory. These spans must lie before the central directory and must not overlap: overlapping
 * entries let a small archive inflate the same compressed bytes once per entry (the non-recursive
 * "overlapping files" zip bomb), so they are refused as {@link UnsafeZipEntry.Reason#OVERLAPPING}.
 */
final class ZipDirectory {

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;
    private static final int LOC_LEN = 30;
    private static final int ZIP64_EXTRA = 0x0001;
    private static final long MAGIC32 = 0xFFFFFFFFL;
    private static final int EOCD_LEN = 22;
    private static final int HOST_UNIX = 3;
    private static final int HOST_OSX = 19;

    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;

    /**
     * One central-directory record; {@code unixType} is {@code mode & S_IFMT}, or 0 when unknown.
     * {@code size} is the declared uncompressed size (a claim, checked again while inflating),
     * {@code compressedSize} and {@code localHeaderOffset} locate the entry's bytes.
     */
    record Entry(String name, int unixType, long size, long compressedSize, long localHeaderOffset) {}

    private ZipDirectory() {
    }

    static List<Entry> read(Path zip) throws IOException {
        try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < EOCD_LEN) {
                throw new CorruptZip(null, "too short to be a zip archive (" + size + " bytes; truncated?)", null);
            }
            int tailLen = (int) Math.min(size, EOCD_LEN + 0xFFFF);
            ByteBuffer tail = readAt(ch, size - tailLen, tailLen);
            int eocd = -1;
            for (int p = tailLen - EOCD_LEN; p >= 0; p--) {
                if (tail.getInt(p) == EOCD_SIG && (tail.getShort(p + 20) & 0xFFFF) == tailLen - p - EOCD_LEN) {
                    eocd = p;
                    break;
                }
            }
            if (eocd < 0) {
                throw new CorruptZip(null, "no end-of-central-directory record (truncated, or not a zip archive)", null);
            }
            long eocdPos = size - tailLen + eocd;
            long endRecords = eocdPos;
            int disk = tail.getShort(eocd + 4) & 0xFFFF;
            int cdDisk = tail.getShort(eocd + 6) & 0xFFFF;
            long count = tail.getShort(eocd + 10) & 0xFFFF;
            long cdSize = tail.getInt(eocd + 12) & 0xFFFFFFFFL;
            long cdOffset = tail.getInt(eocd + 16) & 0xFFFFFFFFL;
            if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
                if (eocdPos < 20) {
                    throw new CorruptZip(null, "zip64 locator missing", null);
                }
                ByteBuffer loc = readAt(ch, eocdPos - 20, 20);
                if (loc.getInt(0) != ZIP64_LOCATOR_SIG) {
                    throw new CorruptZip(null, "zip64 locator missing", null);
                }
                long z64 = loc.getLong(8);
                if (z64 < 0 || z64 > eocdPos - 76) {
                    throw new CorruptZip(null, "zip64 end record out of range", null);
                }
                ByteBuffer rec = readAt(ch, z64, 56);
                if (rec.getInt(0) != ZIP64_EOCD_SIG) {
                    throw new CorruptZip(null, "bad zip64 end record", null);
                }
                disk = rec.getInt(16);
                cdDisk = rec.getInt(20);
                count = rec.getLong(32);
                cdSize = rec.getLong(40);
                cdOffset = rec.getLong(48);
                endRecords = z64;
            }
            if (disk != 0 || cdDisk != 0) {
                throw new CorruptZip(null, "multi-disk archives are not supported", null);
            }
            if (cdOffset < 0 || cdSize < 0 || count < 0 || cdOffset > eocdPos || cdSize > eocdPos - cdOffset
                    || count > cdSize / 46) {
                throw new CorruptZip(null, "central directory out of range (truncated?)", null);
            }
            if (cdOffset + cdSize != endRecords) {
                throw new CorruptZip(null, "the central directory does not end where the end record starts"
                        + " (data prepended to the archive?)", null);
            }
            ch.position(cdOffset);
            DataInputStream in = new DataInputStream(new BufferedInputStream(
                    limited(Channels.newInputStream(ch), cdSize), 1 << 16));
            List<Entry> entries = new ArrayList<>();
            try {
                for (long i = 0; i < count; i++) {
                    entries.add(readEntry(in));
                }
            } catch (EOFException e) {
                throw new CorruptZip(null, "central directory is truncated", e);
            }
            checkLayout(ch, entries, cdOffset);
            return entries;
        }
    }

    private static Entry readEntry(DataInputStream in) throws IOException {
        byte[] h = new byte[46];
        in.readFully(h);
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != CEN_SIG) {
            throw new CorruptZip(null, "bad central directory record", null);
        }
        int madeBy = b.getShort(4) & 0xFFFF;
        int flags = b.getShort(8) & 0xFFFF;
        int method = b.getShort(10) & 0xFFFF;
        long compressedSize = b.getInt(20) & MAGIC32;
        long size = b.getInt(24) & MAGIC32;
        int nameLen = b.getShort(28) & 0xFFFF;
        int extraLen = b.getShort(30) & 0xFFFF;
        int commentLen = b.getShort(32) & 0xFFFF;
        long external = b.getInt(38) & MAGIC32;
        long offset = b.getInt(42) & MAGIC32;
        byte[] rawName = new byte[nameLen];
        in.readFully(rawName);
        byte[] extra = new byte[extraLen];
        in.readFully(extra);
        in.readFully(new byte[commentLen]);
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(rawName)).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptZip(null, "an entry name is not valid UTF-8", e);
        }
        if ((flags & 1) != 0) {
            throw new CorruptZip(name, "encrypted entries are not supported", null);
        }
        if (method != 0 && method != 8) {
            throw new CorruptZip(name, "unsupported compression method " + method + " (only stored and deflated)", null);
        }
        if (size == MAGIC32 || compressedSize == MAGIC32 || offset == MAGIC32) {
            ByteBuffer z64 = zip64Extra(name, extra);
            try {
                size = size == MAGIC32 ? z64.getLong() : size;
                compressedSize = compressedSize == MAGIC32 ? z64.getLong() : compressedSize;
                offset = offset == MAGIC32 ? z64.getLong() : offset;
            } catch (BufferUnderflowException e) {
                throw new CorruptZip(name, "zip64 extra field is too short", e);
            }
        }
        if (size < 0 || compressedSize < 0 || offset < 0) {
            throw new CorruptZip(name, "sizes or offset beyond 2^63", null);
        }
        if (method == 0 && size != compressedSize) {
            throw new CorruptZip(name, "stored entry declares " + size + " bytes but occupies " + compressedSize, null);
        }
        int host = madeBy >>> 8;
        int type = host == HOST_UNIX || host == HOST_OSX ? (int) (external >>> 16) & S_IFMT : 0;
        return new Entry(name, type, size, compressedSize, offset);
    }

    /** The data of the zip64 extended-information field in {@code extra}. */
    private static ByteBuffer zip64Extra(String name, byte[] extra) {
        ByteBuffer b = ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
            int id = b.getShort() & 0xFFFF;
            int len = b.getShort() & 0xFFFF;
            if (len > b.remaining()) {
                break;
            }
            if (id == ZIP64_EXTRA) {
                return b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
            }
            b.position(b.position() + len);
        }
        throw new CorruptZip(name, "sizes say zip64 but there is no zip64 extra field", null);
    }

    /**
     * Refuses entries whose bytes ({@code [local header offset, data end)}) overlap one another,
     * reach into the central directory or past it.
     */
    private static void checkLayout(FileChannel ch, List<Entry> entries, long cdOffset) throws IOException {
        record Span(Entry entry, long start, long end) {}
        List<Span> spans = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            long start = e.localHeaderOffset();
            if (start > cdOffset - LOC_LEN) {
                throw new UnsafeZipEntry(e.name(), UnsafeZipEntry.Reason.OVERLAPPING);
            }
            ByteBuffer loc = readAt(ch, start, LOC_LEN);
            if (loc.getInt(0) != LOC_SIG) {
                throw new CorruptZip(e.name(), "no local header where the central directory points", null);
            }
            long dataStart = start + LOC_LEN + (loc.getShort(26) & 0xFFFF) + (loc.getShort(28) & 0xFFFF);
            if (e.compressedSize() > cdOffset - dataStart) {
                throw new UnsafeZipEntry(e.name(), UnsafeZipEntry.Reason.OVERLAPPING);
            }
            spans.add(new Span(e, start, dataStart + e.compressedSize()));
        }
        spans.sort(Comparator.comparingLong(Span::start));
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i).start() < spans.get(i - 1).end()) {
                throw new UnsafeZipEntry(spans.get(i).entry().name(), UnsafeZipEntry.Reason.OVERLAPPING);
            }
        }
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new CorruptZip(null, "unexpected end of archive", null);
            }
        }
        return buf.flip();
    }

    private static InputStream limited(InputStream in, long max) {
        return new InputStream() {
            private long left = max;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int c = in.read();
                if (c >= 0) {
                    left--;
                }
                return c;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }
}
