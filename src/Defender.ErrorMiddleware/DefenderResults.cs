using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware;

/// <summary>
/// Results that answer with the Defender error envelope without throwing: the same status, headers, body and
/// log line as <see cref="DefenderException"/>, at the cost of writing the bytes.
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
    public static DefenderErrorResult Error(DefenderErrorCode code, string? message = null) => new(new DefenderError(code, message));
}

/// <summary>An <see cref="IResult"/> that writes one Defender error. Create it with <see cref="DefenderResults"/>.</summary>
public sealed class DefenderErrorResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    internal DefenderErrorResult(DefenderError error)
    {
        if (error.Code is null)
        {
            throw new ArgumentException("The error has no code; create it with a DefenderError constructor or factory.", nameof(error));
        }

        Error = error;
    }

    /// <summary>The error this result writes.</summary>
    public DefenderError Error { get; }

    /// <summary>The documented code's status, or <see langword="null"/> for an application-registered code (resolved from options).</summary>
    public int? StatusCode => Error.KnownCode is { } code ? Catalog.DefenderErrorCatalog.Get(code).StatusCode : null;

    /// <inheritdoc/>
    public string ContentType => DefenderErrorWriter.JsonContentType;

    /// <inheritdoc/>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var writer = httpContext.RequestServices.GetService<DefenderErrorWriter>()
            ?? throw new InvalidOperationException(DefenderErrorMarker.MissingServicesMessage);
        return writer.WriteAsync(httpContext, Error, exception: null);
    }
}
