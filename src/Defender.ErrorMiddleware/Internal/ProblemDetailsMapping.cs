using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Defender.ErrorMiddleware.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// What a ProblemDetails (or the pieces MVC results carry: a string, a validation dictionary) becomes. One rule for every
/// producer — the ProblemDetails writer and the MVC result filter both call it — documented in docs/getting-started.md.
/// </summary>
internal static class ProblemDetailsMapping
{
    private static readonly ConcurrentDictionary<int, string?> DefaultTitles = new();
    private static readonly string? ValidationTitle = new HttpValidationProblemDetails().Title;
    private static readonly RequiredAttribute Required = new();

    /// <summary>
    /// A problem with a status: the code the status gets (as for a bodiless response), the status kept, and the problem's
    /// <c>detail</c> (else a <c>title</c> the application wrote) as the message. A validation problem is one 400 error
    /// chosen by <see cref="FromValidationErrors"/>.
    /// </summary>
    internal static DefenderError FromProblem(DefenderErrorWriter writer, ProblemDetails problem, int status, out int? statusOverride)
    {
        if (problem is HttpValidationProblemDetails validation && FromValidationErrors(validation.Errors) is { } validationError)
        {
            statusOverride = null;
            return validationError;
        }

        statusOverride = status;
        var message = problem.Detail;
        if (string.IsNullOrEmpty(message) && !IsDefaultTitle(problem, status))
        {
            message = problem.Title;
        }

        return FromStatus(writer, status, message);
    }

    /// <summary>The error for a status, with the given text (echoed under the usual bounds) as its message when there is one.</summary>
    internal static DefenderError FromStatus(DefenderErrorWriter writer, int status, string? message)
    {
        var error = writer.ErrorForStatus(status);
        return string.IsNullOrEmpty(message) ? error : new DefenderError(error.Code, EchoSanitizer.Sanitize(message));
    }

    /// <summary>
    /// The one rule for a result the application returned with an error status and a string value (MVC's
    /// <c>BadRequest("…")</c>, minimal APIs' <c>Results.BadRequest("…")</c>, <c>TypedResults.Conflict("…")</c>): the code the
    /// status gets, the status kept, the string (echoed under the usual bounds) as the message. Any other value, or a status
    /// that is not an error, is the application's chosen body: false.
    /// </summary>
    internal static bool TryFromMessageResult(DefenderErrorWriter writer, int? statusCode, object? value, out DefenderError error, out int status)
    {
        if (value is string message && statusCode is >= 400 and <= 599)
        {
            status = statusCode.Value;
            error = FromStatus(writer, status, message);
            return true;
        }

        error = default;
        status = default;
        return false;
    }

    /// <summary>
    /// The one error a member → messages dictionary becomes: the first member (in the producer's order) with a message;
    /// MissingRequiredParameter when that message is <c>[Required]</c>'s own for the member, else InvalidInput naming it.
    /// <see langword="null"/> when no member has a message.
    /// </summary>
    internal static DefenderError? FromValidationErrors(IEnumerable<KeyValuePair<string, string[]>> errors)
    {
        foreach (var (key, messages) in errors)
        {
            if (messages is not { Length: > 0 })
            {
                continue;
            }

            var name = MemberName(key);
            if (name.Length == 0)
            {
                // An object-level failure (IValidatableObject with no member): the body as a whole is invalid.
                return DefenderError.InvalidRequestBody(EchoSanitizer.Sanitize(messages[0]));
            }

            return IsRequiredMessage(messages[0], name) ? DefenderError.MissingRequiredParameter(name) : DefenderError.InvalidInput(name);
        }

        return null;
    }

    /// <summary>The member path as a client wrote it: MVC's <c>$.</c> JSON-path prefix dropped.</summary>
    private static string MemberName(string key) =>
        key.StartsWith("$.", StringComparison.Ordinal) ? key[2..] : key == "$" ? string.Empty : key;

    private static bool IsRequiredMessage(string message, string name)
    {
        var lastDot = name.LastIndexOf('.');
        var member = lastDot >= 0 ? name[(lastDot + 1)..] : name;
        var bracket = member.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            member = member[..bracket];
        }

        return message == Required.FormatErrorMessage(member) || message == Required.FormatErrorMessage(name);
    }

    /// <summary>Whether the title is the one the framework fills in for the status (or for validation), not the application's.</summary>
    private static bool IsDefaultTitle(ProblemDetails problem, int status)
    {
        var title = problem.Title;
        if (string.IsNullOrEmpty(title))
        {
            return true;
        }

        if (problem is HttpValidationProblemDetails && title == ValidationTitle)
        {
            return true;
        }

        // Ask the framework which title it gives the status rather than copying its table.
        var defaultTitle = DefaultTitles.GetOrAdd(status, static s => TypedResults.Problem(statusCode: s).ProblemDetails.Title);
        return title == defaultTitle;
    }
}
