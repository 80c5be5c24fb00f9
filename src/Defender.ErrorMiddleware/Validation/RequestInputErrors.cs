using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Defender.ErrorMiddleware.Catalog;
using Microsoft.AspNetCore.Http;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Turns the framework's reports of unreadable input into one Defender error: JSON that does not parse or does not fit
/// (InvalidRequestBody, saying where by JSON path), route and query values that do not bind (InvalidInput with the value),
/// missing required values (MissingRequiredParameter) and missing bodies. The framework's own texts name .NET types and are
/// never passed on; only the client's value or the parameter's name is echoed, through the sanitizer.
/// </summary>
internal static class RequestInputErrors
{
    internal const string EmptyBodyMessage = "The request body is empty.";

    // Minimal APIs' RequestDelegateFactory messages (fixed English constants in the framework, not resources).
    private const string BindFailedPrefix = "Failed to bind parameter \"";
    private const string RequiredNotProvidedPrefix = "Required parameter \"";
    private const string ReadJsonPrefix = "Failed to read parameter \"";
    private const string ImplicitBodyPrefix = "Implicit body inferred for parameter \"";

    /// <summary>A type's contract under the binder's options; <see langword="null"/> when the serializer cannot describe it on its own.</summary>
    internal static JsonTypeInfo? ContractOf(JsonSerializerOptions? options, Type type)
    {
        try
        {
            return options?.GetTypeInfo(type);
        }
        catch (Exception exception) when (exception is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Classifies a minimal-API binding failure; <see langword="false"/> leaves it to the status mapping.</summary>
    internal static bool TryClassify(BadHttpRequestException exception, JsonTypeInfo? body, out DefenderError error)
    {
        if (exception.StatusCode != StatusCodes.Status400BadRequest)
        {
            error = default;
            return false;
        }

        if (exception.InnerException is JsonException json)
        {
            error = ForJson(json, body);
            return true;
        }

        var message = exception.Message;
        if (message.StartsWith(BindFailedPrefix, StringComparison.Ordinal))
        {
            // Failed to bind parameter "int id" from "abc".
            var from = message.IndexOf("\" from \"", BindFailedPrefix.Length, StringComparison.Ordinal);
            if (from >= 0 && message.EndsWith("\".", StringComparison.Ordinal) && message.Length - 2 >= from + 8)
            {
                error = DefenderError.InvalidInput(message[(from + 8)..^2]);
                return true;
            }
        }
        else if (message.StartsWith(RequiredNotProvidedPrefix, StringComparison.Ordinal))
        {
            // Required parameter "int id" was not provided from query string.
            var close = message.IndexOf("\" was not provided from ", RequiredNotProvidedPrefix.Length, StringComparison.Ordinal);
            if (close >= 0)
            {
                error = message.EndsWith(" from body.", StringComparison.Ordinal)
                    ? DefenderError.InvalidRequestBody(EmptyBodyMessage)
                    : DefenderError.MissingRequiredParameter(ParameterName(message.AsSpan(RequiredNotProvidedPrefix.Length, close - RequiredNotProvidedPrefix.Length)));
                return true;
            }
        }
        else if (message.StartsWith(ImplicitBodyPrefix, StringComparison.Ordinal))
        {
            error = DefenderError.InvalidRequestBody(EmptyBodyMessage);
            return true;
        }
        else if (message.StartsWith(ReadJsonPrefix, StringComparison.Ordinal))
        {
            error = DefenderError.InvalidRequestBody();
            return true;
        }

        error = default;
        return false;
    }

    /// <summary>
    /// The one error for the binder's JSON failure: the body contract's own failures (<see cref="BodyContractException"/>) with
    /// the member's name and path, the serializer's required check, and otherwise where — by JSON path and, for text that is not
    /// JSON, line and column — never the serializer's text (which names .NET types). Only the exception's type, path and
    /// position are read, and the body type's contract to name a member the serializer found missing.
    /// </summary>
    /// <param name="exception">The serializer's failure.</param>
    /// <param name="body">The body's contract under the binder's options, when known.</param>
    internal static DefenderError ForJson(JsonException exception, JsonTypeInfo? body)
    {
        var path = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
        switch (exception)
        {
            case BodyContractException { Failure: BodyContractFailure.MissingMember } missing:
                return DefenderError.MissingRequiredParameter(MemberName(path, missing.Member));
            case BodyContractException { Failure: BodyContractFailure.WrongCaseMember } wrongCase:
                return new DefenderError(DefenderErrorCode.MissingRequiredParameter,
                    DefenderError.MissingRequiredParameter(MemberName(Parent(path), wrongCase.Member)).Message
                    + " Found '" + EchoSanitizer.Sanitize(wrongCase.Found) + "'" + CaseHint);
            case BodyContractException unknown:
                return DefenderError.InvalidInput(MemberName(path, null));
        }

        if (exception.InnerException is JsonException)
        {
            // The reader's own failure: not JSON at all, cut short, trailing data, invalid UTF-8 or too deep.
            if (path == "$" && exception.LineNumber is 0 or null && exception.BytePositionInLine is 0 or null)
            {
                return DefenderError.InvalidRequestBody(EmptyBodyMessage);
            }

            return NotValid("JSON", path, exception);
        }

        if (exception.InnerException?.InnerException is System.Text.DecoderFallbackException)
        {
            // A string the reader could not transcode: bytes that are not UTF-8.
            return NotValid("UTF-8", path, exception);
        }

        var target = body is null ? null : Resolve(body, path);
        if (exception.InnerException is null && target is { Kind: JsonTypeInfoKind.Object } objectInfo
            && objectInfo.Properties.FirstOrDefault(static p => p.IsRequired) is { } first)
        {
            // The serializer's own required check (value-type members): it stops at the object, whose first required member
            // is the one named. A token of the wrong kind where this object belongs reads the same.
            return DefenderError.MissingRequiredParameter(MemberName(path, first.Name));
        }

        return DefenderError.InvalidRequestBody("The request body has a value of the wrong type at " + EchoSanitizer.Sanitize(path) + ".");
    }

    /// <summary>Where the text stops being JSON (or UTF-8): the JSON path, and the reader's line and column when it has them.</summary>
    private static DefenderError NotValid(string what, string path, JsonException exception)
    {
        var where = EchoSanitizer.Sanitize(path);
        return DefenderError.InvalidRequestBody(exception.LineNumber is { } line && exception.BytePositionInLine is { } column
            ? string.Create(CultureInfo.InvariantCulture, $"The request body is not valid {what} at {where} (line {line + 1}, column {column + 1}).")
            : $"The request body is not valid {what} at {where}.");
    }

    internal const string CaseHint = ": body parameters are case-sensitive.";

    /// <summary>A member's name for a message: the JSON path without <c>$.</c>, then the member (<c>Items[1].Comment</c>).</summary>
    private static string MemberName(string path, string? member)
    {
        var relative = path == "$" ? string.Empty : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path[1..];
        return member is null ? relative : relative.Length == 0 ? member : relative + "." + member;
    }

    /// <summary>The path without its last member (<c>$.Items[1].comment</c> → <c>$.Items[1]</c>).</summary>
    private static string Parent(string path)
    {
        if (path.EndsWith("']", StringComparison.Ordinal))
        {
            var open = path.LastIndexOf("['", StringComparison.Ordinal);
            return open > 0 ? path[..open] : "$";
        }

        var dot = path.LastIndexOf('.');
        return dot > 0 ? path[..dot] : "$";
    }

    /// <summary>
    /// The contract at a JSON path below the body's, following members by JSON name and items by index; <see langword="null"/>
    /// where a type the serializer cannot describe on its own stands (the path alone is then reported).
    /// </summary>
    private static JsonTypeInfo? Resolve(JsonTypeInfo info, string path)
    {
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                var name = end < 0 ? path[(i + 1)..] : path[(i + 1)..end];
                info = Member(info, name)!;
                i = end < 0 ? path.Length : end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                info = Member(info, path[(i + 2)..end])!;
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || info.ElementType is not { } element)
                {
                    return null;
                }

                info = ContractOf(info.Options, element)!;
                i = end + 1;
            }
            else
            {
                return null;
            }

            if (info is null)
            {
                return null;
            }
        }

        return info;
    }

    private static JsonTypeInfo? Member(JsonTypeInfo info, string name)
    {
        if (info.Kind == JsonTypeInfoKind.Dictionary && info.ElementType is { } value)
        {
            return ContractOf(info.Options, value);
        }

        foreach (var property in info.Properties)
        {
            if (property.Name == name)
            {
                return ContractOf(info.Options, property.PropertyType);
            }
        }

        return null;
    }

    /// <summary>The name out of the framework's <c>"Type name"</c> (the type may itself contain spaces, the name never).</summary>
    private static string ParameterName(ReadOnlySpan<char> typeAndName)
    {
        var space = typeAndName.LastIndexOf(' ');
        return (space >= 0 ? typeAndName[(space + 1)..] : typeAndName).ToString();
    }
}
