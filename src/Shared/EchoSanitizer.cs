using System.Text;

namespace Defender.ErrorMiddleware.Catalog;

/// <summary>
/// Makes client-supplied text safe to place in an error message or a log line:
/// cut to <see cref="MaxLength"/> characters and with control characters escaped, so it can neither
/// flood a response nor forge a log line or header.
/// </summary>
/// <remarks>
/// Shared source (src/Shared), compiled as an internal type into Contracts (the catalog's message factories echo values)
/// and into the core (messages it builds from the framework's text, and its log lines): one rule, no public API for it.
/// </remarks>
internal static partial class EchoSanitizer
{
    /// <summary>The most characters of one echoed value that a message carries.</summary>
    internal const int MaxLength = 128;

    /// <summary>
    /// The most characters of a reason produced by a parser from client input (an OData parser's message):
    /// longer than one echoed value, because the reason is what the client needs to fix the query.
    /// </summary>
    internal const int MaxReasonLength = 512;

    private const char Ellipsis = '…';

    /// <summary>Makes a value safe to echo in a message: at most <see cref="MaxLength"/> characters, controls escaped.</summary>
    /// <param name="value">The client's text.</param>
    /// <returns>The safe text (the same instance when nothing needed changing); empty for <see langword="null"/>.</returns>
    internal static string Sanitize(string? value) => Sanitize(value, MaxLength);

    /// <summary>Makes a value safe to echo or log: cut to <paramref name="maxLength"/> characters (then <c>…</c>), controls escaped.</summary>
    /// <param name="value">The client's text.</param>
    /// <param name="maxLength">The most characters kept.</param>
    /// <returns>The safe text (the same instance when nothing needed changing); empty for <see langword="null"/>.</returns>
    internal static string Sanitize(string? value, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (string.IsNullOrEmpty(value))
        {
            return value ?? string.Empty;
        }

        if (value.Length <= maxLength && !NeedsEscaping(value))
        {
            return value;
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength) + 16);
        var end = Math.Min(value.Length, maxLength);
        for (var i = 0; i < end; i++)
        {
            var c = value[i];
            if (IsUnsafe(c))
            {
                builder.Append(c switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
                });
            }
            else if (char.IsHighSurrogate(c) && (i + 1 >= end || !char.IsLowSurrogate(value[i + 1])))
            {
                // A surrogate pair cut in half (or a lone one) would make the message invalid UTF-16.
                builder.Append('\uFFFD');
            }
            else if (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1])))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(c);
            }
        }

        if (value.Length > maxLength)
        {
            builder.Append(Ellipsis);
        }

        return builder.ToString();
    }

    private static bool NeedsEscaping(string value)
    {
        foreach (var c in value)
        {
            if (IsUnsafe(c) || char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    // C0/C1 controls, DEL, line/paragraph separators and bidi overrides can all rewrite how a log line reads.
    private static bool IsUnsafe(char c) =>
        c < ' ' || (c >= '\u007f' && c <= '\u009f') || c == '\u2028' || c == '\u2029' ||
        (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
}
