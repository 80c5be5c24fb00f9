using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>What is wrong with a body the <see cref="JsonSyntaxValidator"/> rejected.</summary>
internal enum JsonSyntaxErrorKind : byte
{
    /// <summary>Valid JSON.</summary>
    None,

    /// <summary>A byte that cannot start or continue the JSON at this point (includes data after the value).</summary>
    UnexpectedCharacter,

    /// <summary>The text ends before the value does (or there is no value at all).</summary>
    UnexpectedEnd,

    /// <summary>An object or array opened beyond the maximum depth.</summary>
    TooDeep,

    /// <summary>A byte sequence that is not UTF-8.</summary>
    InvalidUtf8,
}

/// <summary>Where the check stopped: the kind, the byte offset (after a BOM), the 1-based line and column and the JSON path.</summary>
internal readonly record struct JsonSyntaxError(JsonSyntaxErrorKind Kind, int Offset, int Line, int Column, string Path);

/// <summary>
/// The body's syntax, checked by System.Text.Json's own <see cref="Utf8JsonReader"/> (comments disallowed, no trailing
/// commas, the endpoint's depth limit) plus UTF-8 validity inside strings, which the reader leaves to <c>GetString</c>.
/// A valid body costs one pass of the reader and allocates nothing; a bad one costs the reader's one exception, caught
/// here, a frame away (docs/performance.md measures it against the framework's three). Then, on the error path only, a
/// second pass finds the JSON path of the value being read (<c>$.Items[2].Comment</c>) and the reader's line and column.
/// </summary>
internal static class JsonSyntaxValidator
{
    /// <summary>Checks <paramref name="json"/>; <see langword="false"/> with the first error in the text otherwise.</summary>
    internal static bool TryValidate(ReadOnlySpan<byte> json, int maxDepth, out JsonSyntaxError error)
    {
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        // Up to the first invalid UTF-8 byte, if any: JSON errors before it come first.
        var utf8Valid = Utf8.IsValid(json);
        var limit = utf8Valid ? json.Length : FirstInvalidUtf8(json);
        var options = new JsonReaderOptions { MaxDepth = maxDepth };
        var reader = new Utf8JsonReader(json[..limit], utf8Valid, new JsonReaderState(options));
        try
        {
            while (reader.Read())
            {
            }

            if (utf8Valid)
            {
                error = default;
                return true;
            }
        }
        catch (JsonException exception)
        {
            var line = (int)(exception.LineNumber ?? 0) + 1;
            var column = (int)(exception.BytePositionInLine ?? 0) + 1;
            var offset = Offset(json, line, column);
            var (frames, path) = Describe(json[..offset], options);
            var kind = offset >= json.Length ? JsonSyntaxErrorKind.UnexpectedEnd
                : frames >= maxDepth && json[offset] is (byte)'[' or (byte)'{' ? JsonSyntaxErrorKind.TooDeep
                : JsonSyntaxErrorKind.UnexpectedCharacter;
            error = new JsonSyntaxError(kind, offset, line, column, path);
            return false;
        }

        // The text up to the first bad byte is fine (or merely unfinished): the bad byte is the error.
        var (badLine, badColumn) = Position(json, limit);
        error = new JsonSyntaxError(JsonSyntaxErrorKind.InvalidUtf8, limit, badLine, badColumn, Describe(json[..limit], options).Path);
        return false;
    }

    /// <summary>
    /// Reads the text before the error as an unfinished block (so the reader stops there instead of throwing again),
    /// keeping track of where it is: how many containers are open and the JSON path. Error path only: it may allocate.
    /// </summary>
    private static (int Frames, string Path) Describe(ReadOnlySpan<byte> before, JsonReaderOptions options)
    {
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(before, isFinalBlock: false, new JsonReaderState(options));
        var lastEnd = 0;
        var lastToken = JsonTokenType.None;
        try
        {
            while (reader.Read())
            {
                Track(ref reader, frames);
                lastEnd = (int)reader.BytesConsumed;
                lastToken = reader.TokenType;
            }
        }
        catch (JsonException)
        {
            // Not expected before the first error; the path then stops where the reader did.
        }

        return (frames.Count, Path(before, frames, lastEnd, lastToken));
    }

    private static void Track(ref Utf8JsonReader reader, List<Frame> frames)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                break;
            case JsonTokenType.PropertyName:
                frames[^1].Name = SafeName(ref reader);
                frames[^1].InValue = true;
                break;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                frames.RemoveAt(frames.Count - 1);
                ValueDone(frames);
                break;
            default:
                ValueDone(frames);
                break;
        }

        static void ValueDone(List<Frame> frames)
        {
            if (frames.Count > 0)
            {
                var frame = frames[^1];
                if (frame.IsArray)
                {
                    frame.Index++;
                }
                else
                {
                    frame.InValue = false;
                }
            }
        }
    }

    /// <summary>
    /// <c>$</c> followed by the member or index each level is reading. The innermost array is reading an item right after
    /// its <c>[</c> or a comma (the reader does not report commas, so the text after the last token says); once a value is
    /// complete, the error belongs to its container.
    /// </summary>
    private static string Path(ReadOnlySpan<byte> json, List<Frame> frames, int lastEnd, JsonTokenType lastToken)
    {
        var builder = new StringBuilder("$");
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            var innermost = i == frames.Count - 1;
            if (frame.IsArray)
            {
                if (innermost && lastToken != JsonTokenType.StartArray && !NextIsComma(json, lastEnd))
                {
                    break;
                }

                builder.Append('[').Append(frame.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                if (!frame.InValue)
                {
                    break;
                }

                AppendName(builder, frame.Name ?? string.Empty);
            }
        }

        return builder.ToString();
    }

    private static bool NextIsComma(ReadOnlySpan<byte> json, int from)
    {
        var rest = json[from..].TrimStart(" \t\r\n"u8);
        return !rest.IsEmpty && rest[0] == (byte)',';
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> json)
    {
        var i = 0;
        while (i < json.Length)
        {
            if (Rune.DecodeFromUtf8(json[i..], out _, out var consumed) != OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return json.Length;
    }

    /// <summary>The reader's way: 1-based line split at <c>\n</c>, 1-based byte column in that line.</summary>
    private static (int Line, int Column) Position(ReadOnlySpan<byte> json, int offset)
    {
        var before = json[..Math.Min(offset, json.Length)];
        var lines = before.Count((byte)'\n');
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (lines + 1, offset - lastNewline);
    }

    /// <summary>The byte offset of a 1-based line and column.</summary>
    private static int Offset(ReadOnlySpan<byte> json, int line, int column)
    {
        var start = 0;
        for (var l = 1; l < line; l++)
        {
            var newline = json[start..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            start += newline + 1;
        }

        return Math.Min(start + column - 1, json.Length);
    }

    private static string SafeName(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate: show the name as written.
            return Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        }
    }

    /// <summary>The serializer's notation: <c>.Name</c>, or <c>['a.b']</c> when the name has characters a path uses.</summary>
    private static void AppendName(StringBuilder builder, string name)
    {
        if (name.Length > 0 && name.AsSpan().IndexOfAny(PathSpecials) < 0)
        {
            builder.Append('.').Append(name);
            return;
        }

        builder.Append("['").Append(name.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
    }

    private static readonly SearchValues<char> PathSpecials = SearchValues.Create(".'/\"[]() \t\n\r\f\b\\\u0085\u2028\u2029");

    private sealed class Frame(bool isArray)
    {
        internal bool IsArray { get; } = isArray;

        internal string? Name { get; set; }

        internal bool InValue { get; set; }

        internal int Index { get; set; }
    }
}
