using System.Security.Cryptography;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// Fresh targets: random (version 4) GUIDs from the operating system's secure generator, as <see cref="Guid.NewGuid"/>
/// makes them, taken from a per-thread 4 KB block filled 256 targets at a time. On Linux <see cref="Guid.NewGuid"/> is one
/// <c>read</c> system call per GUID, which was a fifth of answering a thrown exception; each fill has a fixed cost of its
/// own (about 2 µs in OpenSSL), still 0.06 of a request's units at 32 targets a fill (docs/performance.md, "Thrown → 404").
/// </summary>
internal static class ErrorTargets
{
    private const int GuidSize = 16;
    private const int BlockSize = 256 * GuidSize;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_next;

    public static Guid Next()
    {
        var block = t_block;
        var offset = t_next;
        if (block is null || offset == BlockSize)
        {
            block = t_block ??= new byte[BlockSize];
            RandomNumberGenerator.Fill(block);
            offset = 0;
        }

        t_next = offset + GuidSize;
        var bytes = block.AsSpan(offset, GuidSize);

        // RFC 9562 version 4 and variant bits, where Guid.NewGuid sets them (bytes 7 and 8 of the little-endian layout).
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
