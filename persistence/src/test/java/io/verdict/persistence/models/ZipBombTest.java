package io.verdict.persistence.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verdict.inference.model.ModelDigest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archive bombs: overlapping entries, lying and oversized declarations, built byte by byte. */
class ZipBombTest {

    private static final ModelStore.Limits LIMITS = ModelStore.Limits.of(100, 10 << 20);
    private static final byte[] KERNEL = "the same bytes, inflated once per entry".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    @Test
    void theHandWrittenZipIsAcceptedWhenWellFormed() {
        ZipBytes z = new ZipBytes();
        z.central("a", z.stored("a", KERNEL));
        z.central("b", z.deflated("b", new byte[5_000]));
        // extracted and digested: only the (deliberately wrong) claimed digest stops it
        assertThrows(ClaimedDigestMismatch.class, () -> importZip(z.finish(), LIMITS));
    }

    @Test
    void entriesSharingOneLocalHeaderAreRefused() throws IOException {
        ZipBytes z = new ZipBytes();
        ZipBytes.Local kernel = z.deflated("a", new byte[100_000]);
        for (String name : List.of("a", "b", "c")) {
            z.central(name, kernel);
        }
        UnsafeZipEntry e = refused(UnsafeZipEntry.class, z.finish(), LIMITS);
        assertEquals(UnsafeZipEntry.Reason.OVERLAPPING, e.reason());
        assertEquals("b", e.entry());
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("zip bomb"), e.getMessage());
    }

    @Test
    void anEntryWhoseHeaderLiesInsideAnotherEntrysDataIsRefused() throws IOException {
        // Fifield's overlap: entry "outer" quotes entry "inner"'s local header and data in its own data
        ZipBytes innerOnly = new ZipBytes();
        ZipBytes.Local innerAlone = innerOnly.stored("inner", KERNEL);
        byte[] quoted = innerOnly.bytes();
        ZipBytes z = new ZipBytes();
        ZipBytes.Local outer = z.stored("outer", quoted);
        z.central("outer", outer);
        z.central("inner", innerAlone, outer.offset() + 30 + "outer".length());
        UnsafeZipEntry e = refused(UnsafeZipEntry.class, z.finish(), LIMITS);
        assertEquals(UnsafeZipEntry.Reason.OVERLAPPING, e.reason());
        assertEquals("inner", e.entry());
    }

    @Test
    void anEntryPointingIntoTheCentralDirectoryIsRefused() throws IOException {
        ZipBytes z = new ZipBytes();
        ZipBytes.Local a = z.stored("a", KERNEL);
        z.central("a", a);
        z.central("into-directory", a, z.position());
        UnsafeZipEntry e = refused(UnsafeZipEntry.class, z.finish(), LIMITS);
        assertEquals(UnsafeZipEntry.Reason.OVERLAPPING, e.reason());
        assertEquals("into-directory", e.entry());
    }

    @Test
    void anEntryWhoseDataRunsIntoTheCentralDirectoryIsRefused() throws IOException {
        ZipBytes z = new ZipBytes();
        ZipBytes.Local a = z.deflated("a", new byte[10_000]);
        z.centralDeclaring("a", a, 10_000, a.compressedSize() + 40);
        UnsafeZipEntry e = refused(UnsafeZipEntry.class, z.finish(), LIMITS);
        assertEquals(UnsafeZipEntry.Reason.OVERLAPPING, e.reason());
        assertEquals("a", e.entry());
    }

    @Test
    void zip64OffsetsAreReadFromTheExtraField() throws IOException {
        ZipBytes z = new ZipBytes();
        ZipBytes.Local a = z.stored("a", KERNEL);
        z.central("a", a);
        z.centralZip64Offset("b", a, a.offset(), true);
        UnsafeZipEntry e = refused(UnsafeZipEntry.class, z.finish(), LIMITS);
        assertEquals(UnsafeZipEntry.Reason.OVERLAPPING, e.reason());
        assertEquals("b", e.entry());

        ZipBytes ok = new ZipBytes();
        ok.centralZip64Offset("c", ok.stored("c", KERNEL), 0, true);
        assertThrows(ClaimedDigestMismatch.class, () -> importZip(ok.finish(), LIMITS));

        ZipBytes missing = new ZipBytes();
        missing.centralZip64Offset("d", missing.stored("d", KERNEL), 0, false);
        CorruptZip c = refused(CorruptZip.class, missing.finish(), LIMITS);
        assertEquals("d", c.entry());
    }

    @Test
    void dataPrependedToTheArchiveIsRefused() throws IOException {
        ZipBytes z = new ZipBytes();
        z.central("a", z.stored("a", KERNEL));
        byte[] zip = z.finish();
        byte[] shifted = new byte[zip.length + 16];
        System.arraycopy(zip, 0, shifted, 16, zip.length);
        assertTrue(refused(CorruptZip.class, shifted, LIMITS).getMessage().contains("prepended"));
    }

    @Test
    void declaredSizesOverTheTotalAreRefusedBeforeExtracting() throws IOException {
        // both entries are tiny; the central directory claims the second one is huge
        ZipBytes z = new ZipBytes();
        z.central("small", z.stored("small", KERNEL));
        ZipBytes.Local huge = z.deflated("huge", KERNEL);
        z.centralDeclaring("huge", huge, 50_000, huge.compressedSize());
        ZipLimitExceeded e = refused(ZipLimitExceeded.class, z.finish(), ModelStore.Limits.of(10, 10_000));
        assertEquals(ZipLimitExceeded.Limit.TOTAL_BYTES, e.limit());
        assertEquals("huge", e.entry());
        assertEquals(10_000, e.max());
    }

    @Test
    void declaredSizesAreSummedAcrossEntries() throws IOException {
        ZipBytes z = new ZipBytes();
        for (String name : List.of("one", "two", "three")) {
            z.central(name, z.deflated(name, new byte[4_000]));
        }
        ZipLimitExceeded e = refused(ZipLimitExceeded.class, z.finish(), ModelStore.Limits.of(10, 10_000));
        assertEquals(ZipLimitExceeded.Limit.TOTAL_BYTES, e.limit());
        assertEquals("three", e.entry());
    }

    @Test
    void understatedSizesAreStillCaughtWhileInflating() throws IOException {
        // the declaration says 10 bytes, the deflated stream holds 100,000: real bytes decide
        ZipBytes z = new ZipBytes();
        ZipBytes.Local liar = z.deflated("liar", new byte[100_000]);
        z.centralDeclaring("liar", liar, 10, liar.compressedSize());
        ZipLimitExceeded e = refused(ZipLimitExceeded.class, z.finish(), ModelStore.Limits.of(10, 50_000));
        assertEquals(ZipLimitExceeded.Limit.TOTAL_BYTES, e.limit());
        assertEquals("liar", e.entry());
    }

    // --- helpers -----------------------------------------------------------------------------

    private void importZip(byte[] zip, ModelStore.Limits limits) {
        new ModelStore(tmp.resolve("store")).importZip(new ByteArrayInputStream(zip),
                ModelDigest.parse("sha256:" + "ab".repeat(32)), limits);
    }

    private <T extends Throwable> T refused(Class<T> type, byte[] zip, ModelStore.Limits limits) throws IOException {
        T e = assertThrows(type, () -> importZip(zip, limits));
        try (Stream<Path> s = Files.list(tmp.resolve("store"))) {
            assertEquals(List.of(), s.toList(), "nothing stored, nothing extracted, no temporaries left");
        }
        return e;
    }

    /**
     * A zip written byte by byte: local entries (stored or deflated), then central-directory records
     * that may point anywhere and declare any size, then the end record.
     */
    private static final class ZipBytes {
        /** A local entry as written: where its header is and what a central record should say about it. */
        record Local(long offset, int method, long compressedSize, long size, long crc) {}

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream central = new ByteArrayOutputStream();
        private int count;

        long position() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        Local stored(String name, byte[] data) {
            return local(name, 0, data, data);
        }

        Local deflated(String name, byte[] data) {
            Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!d.finished()) {
                raw.write(buf, 0, d.deflate(buf));
            }
            d.end();
            return local(name, 8, data, raw.toByteArray());
        }

        private Local local(String name, int method, byte[] data, byte[] raw) {
            Local l = new Local(out.size(), method, raw.length, data.length, crc(data));
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800).putShort((short) method)
                    .putInt(0).putInt((int) l.crc()).putInt(raw.length).putInt(data.length)
                    .putShort((short) n.length).putShort((short) 0);
            out.writeBytes(h.array());
            out.writeBytes(n);
            out.writeBytes(raw);
            return l;
        }

        /** A central record describing {@code l} truthfully. */
        void central(String name, Local l) {
            record(name, l, l.size(), l.compressedSize(), l.offset(), new byte[0]);
        }

        /** A central record describing {@code l} but pointing at {@code offset}. */
        void central(String name, Local l, long offset) {
            record(name, l, l.size(), l.compressedSize(), offset, new byte[0]);
        }

        /** A central record describing {@code l} but declaring {@code size} uncompressed and {@code compressed} bytes. */
        void centralDeclaring(String name, Local l, long size, long compressed) {
            record(name, l, size, compressed, l.offset(), new byte[0]);
        }

        /** A record whose offset is 0xFFFFFFFF, the real one in a zip64 extra field (or, if not {@code withExtra}, nowhere). */
        void centralZip64Offset(String name, Local l, long offset, boolean withExtra) {
            byte[] extra = withExtra ? le(12).putShort((short) 0x0001).putShort((short) 8).putLong(offset).array()
                    : new byte[0];
            record(name, l, l.size(), l.compressedSize(), 0xFFFFFFFFL, extra);
        }

        private void record(String name, Local l, long size, long compressed, long offset, byte[] extra) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(46);
            h.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0x0800)
                    .putShort((short) l.method()).putInt(0).putInt((int) l.crc()).putInt((int) compressed)
                    .putInt((int) size).putShort((short) n.length).putShort((short) extra.length).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offset);
            central.writeBytes(h.array());
            central.writeBytes(n);
            central.writeBytes(extra);
            count++;
        }

        byte[] finish() {
            long cdOffset = out.size();
            out.writeBytes(central.toByteArray());
            ByteBuffer end = le(22);
            end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count)
                    .putShort((short) count).putInt(central.size()).putInt((int) cdOffset).putShort((short) 0);
            out.writeBytes(end.array());
            return out.toByteArray();
        }

        private static ByteBuffer le(int n) {
            return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        }

        private static long crc(byte[] data) {
            CRC32 c = new CRC32();
            c.update(data);
            return c.getValue();
        }
    }
}
