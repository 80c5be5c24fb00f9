using System.Diagnostics.CodeAnalysis;
using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware;

/// <summary>
/// Results that answer with the Defender error envelope without throwing: the same status, headers, body and
/// log line as <see cref="DefenderException"/>, at the cost of writing the bytes. Return them from minimal APIs and
/// controllers alike, or set one as a filter's result.
/// </summary>
public static class DefenderResults
{
    /// <summary>Answers with an error built by a <see cref="DefenderError"/> factory.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The result.</returns>
    public static DefenderErrorResult Error(DefenderError error) => new(error);

    /// <summary>Answers with a documented code and a message (<see langword="null"/> for the code's default message).</summary>
    /// <param name="code">The documented code.</param>
    /// <param name="message">The message.</param>
    /// <returns>The result.</returns>
    [SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "Shipped; the (error, statusCode) overload differs in both parameters' types, never ambiguous.")]
    public static DefenderErrorResult Error(DefenderErrorCode code, string? message = null) => new(new DefenderError(code, message));

    /// <summary>
    /// Answers with an error under an HTTP status of its own instead of its code's: for a status no documented code
    /// carries, such as 405 or 413, answered with the code <see cref="DefenderErrorOptions.GetStatusCodeError"/> gives it.
    /// The status line and the log line say <paramref name="statusCode"/>; the body is the error's code and message.
    /// </summary>
    /// <param name="error">The error.</param>
    /// <param name="statusCode">An error status, 400 to 599.</param>
    /// <returns>The result.</returns>
    public static DefenderErrorResult Error(DefenderError error, int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, StatusCodes.Status400BadRequest);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return new(error, statusCode);
    }
}

/// <summary>
/// An <see cref="IResult"/> (minimal APIs) and <see cref="IActionResult"/> (MVC) that writes one Defender error.
/// Create it with <see cref="DefenderResults"/>.
/// </summary>
public sealed class DefenderErrorResult : IResult, IActionResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private readonly int? _statusOverride;

    internal DefenderErrorResult(DefenderError error, int? statusOverride = null)
    {
        if (error.Code is null)
        {
            throw new ArgumentException("The error has no code; create it with a DefenderError constructor or factory.", nameof(error));
        }

        Error = error;
        _statusOverride = statusOverride;
    }

    /// <summary>The error this result writes.</summary>
    public DefenderError Error { get; }

    /// <summary>
    /// The status given to <see cref="DefenderResults.Error(DefenderError, int)"/>, else the documented code's status, or
    /// <see langword="null"/> for an application-registered code (resolved from options).
    /// </summary>
    public int? StatusCode => _statusOverride ?? (Error.KnownCode is { } code ? Catalog.DefenderErrorCatalog.Get(code).StatusCode : null);

    /// <inheritdoc/>
    public string ContentType => DefenderErrorWriter.JsonContentType;

    /// <inheritdoc/>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var writer = httpContext.RequestServices.GetService<DefenderErrorWriter>()
            ?? throw new InvalidOperationException(DefenderErrorWriter.MissingServicesMessage);
        return writer.WriteAsync(httpContext, Error, exception: null, _statusOverride);
    }

    /// <inheritdoc/>
    Task IActionResult.ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(context.HttpContext);
    }
}
