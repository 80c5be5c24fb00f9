using System.Text.Json;
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

    /// <summary>Classifies a minimal-API binding failure; <see langword="false"/> leaves it to the status mapping.</summary>
    internal static bool TryClassify(BadHttpRequestException exception, out DefenderError error)
    {
        if (exception.StatusCode != StatusCodes.Status400BadRequest)
        {
            error = default;
            return false;
        }

        if (exception.InnerException is JsonException json)
        {
            error = ForJson(json);
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
    /// The InvalidRequestBody for a serializer failure: the JSON path of the failure and its kind, never the serializer's
    /// text (which names .NET types). An empty body is said to be empty.
    /// </summary>
    internal static DefenderError ForJson(JsonException exception)
    {
        var path = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
        if (exception.InnerException is JsonException)
        {
            // The reader's own failure: not JSON at all, cut short, trailing data, invalid UTF-8 or too deep.
            if (path == "$" && exception.LineNumber == 0 && exception.BytePositionInLine == 0)
            {
                return DefenderError.InvalidRequestBody(EmptyBodyMessage);
            }

            // A converter that reads a whole value makes the serializer read it ahead, so the path can stop at "$": then say where in the text.
            return path == "$"
                ? JsonBodyInspector.NotValid(utf8: false, path, exception.LineNumber + 1, exception.BytePositionInLine + 1)
                : JsonBodyInspector.NotValid(utf8: false, path, null, null);
        }

        return DefenderError.InvalidRequestBody("The request body has a value of the wrong type at " + DefenderAttributeSupport.Sanitize(path) + ".");
    }

    /// <summary>The name out of the framework's <c>"Type name"</c> (the type may itself contain spaces, the name never).</summary>
    private static string ParameterName(ReadOnlySpan<char> typeAndName)
    {
        var space = typeAndName.LastIndexOf(' ');
        return (space >= 0 ? typeAndName[(space + 1)..] : typeAndName).ToString();
    }
}
