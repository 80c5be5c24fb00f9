using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Reads a JSON value (already complete in memory) against its <see cref="BodyContract"/> without deserializing it:
/// finds missing required members — and the same name in another case — and, in strict mode, unknown members.
/// Allocates nothing unless it finds an error.
/// </summary>
/// <remarks>
/// The first error in document order wins: a nested object is checked when it ends, before its parent; within one
/// object, missing required members (in contract order) come before unknown members.
/// </remarks>
internal static class BodyScanner
{
    internal const string CaseHint = ": body parameters are case-sensitive.";

    [ThreadStatic]
    private static MemberPath? t_path;

    /// <summary>Checks the value at the reader's current token; the reader is a copy and may be left anywhere.</summary>
    internal static bool TryFindError(Utf8JsonReader reader, BodyContract contract, bool strict, out DefenderError error)
    {
        var path = t_path ??= new MemberPath();
        path.Clear();
        error = default;
        return Scan(ref reader, contract, strict, path, ref error);
    }

    private static bool Scan(ref Utf8JsonReader reader, BodyContract contract, bool strict, MemberPath path, ref DefenderError error)
    {
        if (!contract.NeedsScan)
        {
            reader.TrySkip();
            return false;
        }

        switch (contract.Kind)
        {
            case JsonTypeInfoKind.Object when reader.TokenType == JsonTokenType.StartObject:
                return ScanObject(ref reader, contract, strict, path, ref error);
            case JsonTypeInfoKind.Enumerable when reader.TokenType == JsonTokenType.StartArray && contract.Element is { } item:
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    path.PushIndex(index++);
                    if (Scan(ref reader, item, strict, path, ref error))
                    {
                        return true;
                    }

                    path.Pop();
                }

                return false;
            case JsonTypeInfoKind.Dictionary when reader.TokenType == JsonTokenType.StartObject && contract.Element is { } value:
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = SafeGetString(ref reader) ?? "?";
                    reader.Read();
                    path.PushName(key);
                    if (Scan(ref reader, value, strict, path, ref error))
                    {
                        return true;
                    }

                    path.Pop();
                }

                return false;
            default:
                // A token of the wrong kind: the serializer reports it with its path.
                reader.TrySkip();
                return false;
        }
    }

    private static bool ScanObject(ref Utf8JsonReader reader, BodyContract contract, bool strict, MemberPath path, ref DefenderError error)
    {
        var start = reader;
        var members = contract.Members;
        var required = contract.Required;
        // One bit per required member; beyond 64 required members the rest are left to the serializer's own check.
        ulong found = 0;
        var firstUnknown = default(Utf8JsonReader);
        var hasUnknown = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = Find(ref reader, contract);
            if (index < 0 && !hasUnknown && !contract.HasExtensionData)
            {
                firstUnknown = reader;
                hasUnknown = true;
            }

            reader.Read();
            if (index >= 0)
            {
                var member = members[index];
                var isNull = reader.TokenType == JsonTokenType.Null;
                if (member.Value is { NeedsScan: true } nested)
                {
                    path.PushName(member.Name);
                    if (Scan(ref reader, nested, strict, path, ref error))
                    {
                        return true;
                    }

                    path.Pop();
                }
                else
                {
                    reader.TrySkip();
                }

                if (member.IsRequired && !(member.RejectsNull && isNull))
                {
                    var bit = Array.IndexOf(required, index);
                    if (bit is >= 0 and < 64)
                    {
                        found |= 1UL << bit;
                    }
                }
            }
            else
            {
                reader.TrySkip();
            }
        }

        for (var bit = 0; bit < required.Length && bit < 64; bit++)
        {
            if ((found & (1UL << bit)) == 0)
            {
                var name = members[required[bit]].Name;
                error = Missing(path, name, FindOtherCase(start, name));
                return true;
            }
        }

        if (strict && hasUnknown)
        {
            error = DefenderError.InvalidInput(path.Join(SafeGetString(ref firstUnknown) ?? "?"));
            return true;
        }

        return false;
    }

    private static int Find(ref Utf8JsonReader reader, BodyContract contract)
    {
        var members = contract.Members;
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var span = reader.ValueSpan;
            for (var i = 0; i < members.Length; i++)
            {
                if (span.SequenceEqual(members[i].Utf8Name))
                {
                    return i;
                }
            }
        }
        else
        {
            for (var i = 0; i < members.Length; i++)
            {
                if (reader.ValueTextEquals(members[i].Utf8Name))
                {
                    return i;
                }
            }
        }

        if (contract.CaseInsensitive && SafeGetString(ref reader) is { } text)
        {
            for (var i = 0; i < members.Length; i++)
            {
                if (string.Equals(text, members[i].Name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>Looks again through one object for a member named like <paramref name="name"/> in another case (error path only).</summary>
    private static string? FindOtherCase(Utf8JsonReader reader, string name)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(name.Length);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueSpan.Length <= maxBytes * 6 && SafeGetString(ref reader) is { } text
                && string.Equals(text, name, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(text, name, StringComparison.Ordinal))
            {
                return text;
            }

            reader.Read();
            reader.TrySkip();
        }

        return null;
    }

    private static DefenderError Missing(MemberPath path, string name, string? otherCase)
    {
        var error = DefenderError.MissingRequiredParameter(path.Join(name));
        return otherCase is null
            ? error
            : new DefenderError(DefenderErrorCode.MissingRequiredParameter,
                error.Message + " Found '" + DefenderAttributeSupport.Sanitize(otherCase) + "'" + CaseHint);
    }

    private static string? SafeGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 in a name: it matches nothing and is not echoed.
            return null;
        }
    }
}
