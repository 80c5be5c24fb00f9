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

/// <summary>Where the validator stopped: the kind, the byte offset (after a BOM), the 1-based line and column and the JSON path.</summary>
internal readonly record struct JsonSyntaxError(JsonSyntaxErrorKind Kind, int Offset, int Line, int Column, string Path);

/// <summary>
/// An RFC 8259 syntax check that never throws: one top-level value, nothing but whitespace after it, an optional UTF-8 BOM,
/// UTF-8 throughout, and at most <c>maxDepth</c> nested objects and arrays — what <see cref="Utf8JsonReader"/> accepts with
/// comments disallowed and no trailing commas, plus UTF-8 validity inside strings (which the reader leaves to
/// <c>GetString</c>). It allocates nothing when the text is valid; on failure it computes the JSON path
/// (<c>$.Items[2].Comment</c>) of the value being read and the line and column, counted as the reader counts them
/// (lines split at <c>\n</c>, columns in bytes).
/// </summary>
internal static class JsonSyntaxValidator
{
    /// <summary>Depths up to this keep their bookkeeping on the stack; deeper limits rent it.</summary>
    private const int StackDepth = 128;

    private const byte InArray = 1;
    private const byte InValue = 2;

    // What ends the fast part of a string: its quote, an escape, or a control character (invalid inside strings).
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    /// <summary>Checks <paramref name="json"/>; <see langword="false"/> with the first error in the text otherwise.</summary>
    internal static bool TryValidate(ReadOnlySpan<byte> json, int maxDepth, out JsonSyntaxError error)
    {
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        var utf8Valid = Utf8.IsValid(json);
        var limit = utf8Valid ? json.Length : FirstInvalidUtf8(json);
        var frames = Math.Min(maxDepth, limit) + 1;
        byte[]? rentedKinds = null;
        int[]? rentedSlots = null;
        var kinds = frames <= StackDepth ? stackalloc byte[StackDepth] : (rentedKinds = ArrayPool<byte>.Shared.Rent(frames));
        var slots = frames <= StackDepth ? stackalloc int[StackDepth] : (rentedSlots = ArrayPool<int>.Shared.Rent(frames));
        try
        {
            var kind = Parse(json[..limit], maxDepth, kinds, slots, out var offset, out var depth);
            if (kind == JsonSyntaxErrorKind.None && utf8Valid)
            {
                error = default;
                return true;
            }

            if (!utf8Valid && (kind == JsonSyntaxErrorKind.None || offset >= limit))
            {
                // The text up to the first bad byte is fine (or merely unfinished): the bad byte is the error.
                kind = JsonSyntaxErrorKind.InvalidUtf8;
                offset = limit;
            }

            var (line, column) = Position(json, offset);
            error = new JsonSyntaxError(kind, offset, line, column, BuildPath(json, kinds[..(depth + 1)], slots));
            return false;
        }
        finally
        {
            if (rentedKinds is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedKinds);
            }

            if (rentedSlots is not null)
            {
                ArrayPool<int>.Shared.Return(rentedSlots);
            }
        }
    }

    /// <summary>
    /// The state machine. <paramref name="kinds"/>[d] and <paramref name="slots"/>[d] describe container level d (0 is the
    /// document): whether it is an array, whether a member value is being read, and the offset of the member's name or the
    /// array index. On error, <paramref name="depth"/> is the level the error is in.
    /// </summary>
    private static JsonSyntaxErrorKind Parse(ReadOnlySpan<byte> json, int maxDepth, Span<byte> kinds, Span<int> slots, out int offset, out int depth)
    {
        var i = 0;
        depth = 0;
        kinds[0] = 0;
        slots[0] = 0;

        // Expecting a value (document start, after ':' or after ',' or '[' in an array).
        Value:
        i = SkipWhitespace(json, i);
        if (i >= json.Length)
        {
            offset = i;
            return JsonSyntaxErrorKind.UnexpectedEnd;
        }

        switch (json[i])
        {
            case (byte)'{':
                if (depth >= maxDepth)
                {
                    offset = i;
                    return JsonSyntaxErrorKind.TooDeep;
                }

                depth++;
                kinds[depth] = 0;
                slots[depth] = 0;
                i = SkipWhitespace(json, i + 1);
                if (i < json.Length && json[i] == (byte)'}')
                {
                    depth--;
                    i++;
                    goto AfterValue;
                }

                goto MemberName;
            case (byte)'[':
                if (depth >= maxDepth)
                {
                    offset = i;
                    return JsonSyntaxErrorKind.TooDeep;
                }

                depth++;
                kinds[depth] = InArray | InValue;
                slots[depth] = 0;
                i = SkipWhitespace(json, i + 1);
                if (i < json.Length && json[i] == (byte)']')
                {
                    kinds[depth] = InArray;
                    depth--;
                    i++;
                    goto AfterValue;
                }

                goto Value;
            case (byte)'"':
                if (!TrySkipString(json, ref i, out var stringError))
                {
                    offset = i;
                    return stringError;
                }

                goto AfterValue;
            case (byte)'t':
                if (!TrySkipLiteral(json, ref i, "true"u8, out var literalError))
                {
                    offset = i;
                    return literalError;
                }

                goto AfterValue;
            case (byte)'f':
                if (!TrySkipLiteral(json, ref i, "false"u8, out literalError))
                {
                    offset = i;
                    return literalError;
                }

                goto AfterValue;
            case (byte)'n':
                if (!TrySkipLiteral(json, ref i, "null"u8, out literalError))
                {
                    offset = i;
                    return literalError;
                }

                goto AfterValue;
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                if (!TrySkipNumber(json, ref i, out var numberError))
                {
                    offset = i;
                    return numberError;
                }

                goto AfterValue;
            default:
                offset = i;
                return JsonSyntaxErrorKind.UnexpectedCharacter;
        }

        // Inside an object, after '{' or ',': a member name, then ':'.
        MemberName:
        if (i >= json.Length)
        {
            offset = i;
            return JsonSyntaxErrorKind.UnexpectedEnd;
        }

        if (json[i] != (byte)'"')
        {
            offset = i;
            return JsonSyntaxErrorKind.UnexpectedCharacter;
        }

        var nameStart = i;
        if (!TrySkipString(json, ref i, out var nameError))
        {
            offset = i;
            return nameError;
        }

        i = SkipWhitespace(json, i);
        if (i >= json.Length)
        {
            offset = i;
            return JsonSyntaxErrorKind.UnexpectedEnd;
        }

        if (json[i] != (byte)':')
        {
            offset = i;
            return JsonSyntaxErrorKind.UnexpectedCharacter;
        }

        i++;
        kinds[depth] = InValue;
        slots[depth] = nameStart;
        goto Value;

        // A value ended: ',' or the container's end, or (at the top) nothing but whitespace.
        AfterValue:
        if (depth == 0)
        {
            i = SkipWhitespace(json, i);
            offset = i;
            return i == json.Length ? JsonSyntaxErrorKind.None : JsonSyntaxErrorKind.UnexpectedCharacter;
        }

        var inArray = (kinds[depth] & InArray) != 0;
        kinds[depth] &= InArray;
        i = SkipWhitespace(json, i);
        if (i >= json.Length)
        {
            offset = i;
            return JsonSyntaxErrorKind.UnexpectedEnd;
        }

        var next = json[i];
        if (next == (byte)',')
        {
            i++;
            if (inArray)
            {
                kinds[depth] = InArray | InValue;
                slots[depth]++;
                goto Value;
            }

            i = SkipWhitespace(json, i);
            goto MemberName;
        }

        if (next == (inArray ? (byte)']' : (byte)'}'))
        {
            depth--;
            i++;
            goto AfterValue;
        }

        offset = i;
        return JsonSyntaxErrorKind.UnexpectedCharacter;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length)
        {
            var b = json[i];
            if (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t')
            {
                break;
            }

            i++;
        }

        return i;
    }

    /// <summary>Skips a string starting at its opening quote; on failure <paramref name="i"/> is the offending byte.</summary>
    private static bool TrySkipString(ReadOnlySpan<byte> json, ref int i, out JsonSyntaxErrorKind error)
    {
        i++;
        while (true)
        {
            var special = json[i..].IndexOfAny(StringSpecials);
            if (special < 0)
            {
                i = json.Length;
                error = JsonSyntaxErrorKind.UnexpectedEnd;
                return false;
            }

            i += special;
            var b = json[i];
            if (b == (byte)'"')
            {
                i++;
                error = JsonSyntaxErrorKind.None;
                return true;
            }

            if (b != (byte)'\\')
            {
                error = JsonSyntaxErrorKind.UnexpectedCharacter;
                return false;
            }

            i++;
            if (i >= json.Length)
            {
                error = JsonSyntaxErrorKind.UnexpectedEnd;
                return false;
            }

            switch (json[i])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i++;
                    break;
                case (byte)'u':
                    i++;
                    for (var k = 0; k < 4; k++, i++)
                    {
                        if (i >= json.Length)
                        {
                            error = JsonSyntaxErrorKind.UnexpectedEnd;
                            return false;
                        }

                        if (!char.IsAsciiHexDigit((char)json[i]))
                        {
                            error = JsonSyntaxErrorKind.UnexpectedCharacter;
                            return false;
                        }
                    }

                    break;
                default:
                    error = JsonSyntaxErrorKind.UnexpectedCharacter;
                    return false;
            }
        }
    }

    private static bool TrySkipLiteral(ReadOnlySpan<byte> json, ref int i, ReadOnlySpan<byte> literal, out JsonSyntaxErrorKind error)
    {
        for (var k = 0; k < literal.Length; k++, i++)
        {
            if (i >= json.Length)
            {
                error = JsonSyntaxErrorKind.UnexpectedEnd;
                return false;
            }

            if (json[i] != literal[k])
            {
                error = JsonSyntaxErrorKind.UnexpectedCharacter;
                return false;
            }
        }

        error = JsonSyntaxErrorKind.None;
        return true;
    }

    /// <summary><c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>; what follows is checked by the caller.</summary>
    private static bool TrySkipNumber(ReadOnlySpan<byte> json, ref int i, out JsonSyntaxErrorKind error)
    {
        if (json[i] == (byte)'-')
        {
            i++;
        }

        if (i >= json.Length)
        {
            error = JsonSyntaxErrorKind.UnexpectedEnd;
            return false;
        }

        if (json[i] == (byte)'0')
        {
            i++;
        }
        else if (!TrySkipDigits(json, ref i, out error))
        {
            return false;
        }

        if (i < json.Length && json[i] == (byte)'.')
        {
            i++;
            if (!TrySkipDigits(json, ref i, out error))
            {
                return false;
            }
        }

        if (i < json.Length && (json[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if (!TrySkipDigits(json, ref i, out error))
            {
                return false;
            }
        }

        error = JsonSyntaxErrorKind.None;
        return true;
    }

    /// <summary>One or more digits.</summary>
    private static bool TrySkipDigits(ReadOnlySpan<byte> json, ref int i, out JsonSyntaxErrorKind error)
    {
        if (i >= json.Length)
        {
            error = JsonSyntaxErrorKind.UnexpectedEnd;
            return false;
        }

        if (!char.IsAsciiDigit((char)json[i]))
        {
            error = JsonSyntaxErrorKind.UnexpectedCharacter;
            return false;
        }

        var rest = json[(i + 1)..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        i = rest < 0 ? json.Length : i + 1 + rest;
        error = JsonSyntaxErrorKind.None;
        return true;
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

    /// <summary><c>$</c> followed by the member or index each level is reading (error path only, so it may allocate).</summary>
    private static string BuildPath(ReadOnlySpan<byte> json, ReadOnlySpan<byte> kinds, ReadOnlySpan<int> slots)
    {
        var builder = new StringBuilder("$");
        for (var d = 1; d < kinds.Length; d++)
        {
            // A level is inside its parent's value; its own member or index counts only while that value is being read.
            if ((kinds[d] & InValue) == 0)
            {
                break;
            }

            if ((kinds[d] & InArray) != 0)
            {
                builder.Append('[').Append(slots[d].ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                AppendName(builder, MemberName(json, slots[d]));
            }
        }

        return builder.ToString();
    }

    private static string MemberName(ReadOnlySpan<byte> json, int start)
    {
        // The name was read completely before its value started, so its closing quote is there.
        var end = start + 1;
        var escaped = false;
        while (json[end] != (byte)'"')
        {
            if (json[end] == (byte)'\\')
            {
                escaped = true;
                end++;
            }

            end++;
        }

        if (!escaped)
        {
            return Encoding.UTF8.GetString(json[(start + 1)..end]);
        }

        var reader = new Utf8JsonReader(json[start..(end + 1)]);
        try
        {
            reader.Read();
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate: show the name as written.
            return Encoding.UTF8.GetString(json[(start + 1)..end]);
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
}
