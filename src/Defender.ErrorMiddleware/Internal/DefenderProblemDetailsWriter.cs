using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// ASP.NET Core's own channel for error bodies: status-code pages, the exception handler, <c>Results.Problem</c>,
/// <c>Results.ValidationProblem</c>, .NET 10's validation filter and MVC's fallbacks all write through
/// <see cref="IProblemDetailsService"/>, which asks its writers in registration order. <c>AddDefenderErrors()</c> puts this
/// writer first, so every problem becomes the envelope through the one writer.
/// </summary>
internal sealed class DefenderProblemDetailsWriter : IProblemDetailsWriter
{
    private readonly DefenderErrorHandler _handler;
    private readonly bool _convert;

    public DefenderProblemDetailsWriter(DefenderErrorHandler handler, IOptions<DefenderErrorOptions> options)
    {
        _handler = handler;
        _convert = options.Value.ConvertProblemDetails;
    }

    public bool CanWrite(ProblemDetailsContext context)
    {
        // The opt-out is consumed here so the key never reaches the problem+json another writer produces.
        if (context.ProblemDetails.Extensions.Remove(DefenderErrorOptions.KeepProblemDetailsExtension) || !_convert)
        {
            return false;
        }

        return (context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode) >= 400;
    }

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var httpContext = context.HttpContext;
        var status = context.ProblemDetails.Status ?? httpContext.Response.StatusCode;
        DefenderError error;
        int? statusOverride;
        if (context.Exception is { } exception)
        {
            // The exception handler or the developer page: what the exception maps to, never the problem's text (it may
            // carry the exception's message).
            if (_handler.Classify(httpContext, exception, out error, out statusOverride) != ExceptionMappingKind.Map)
            {
                error = _handler.Writer.ErrorForStatus(status);
                statusOverride = status;
            }
        }
        else if (context.ProblemDetails is HttpValidationProblemDetails
            && httpContext.RequestServices.GetService<DefenderValidationState>()?.Error is { } validationError)
        {
            // AddValidation()'s failure, already translated from the member that failed (DefenderValidationSetup).
            error = validationError;
            statusOverride = null;
        }
        else
        {
            error = ProblemDetailsMapping.FromProblem(_handler.Writer, context.ProblemDetails, status, out statusOverride);
        }

        return new ValueTask(_handler.Writer.WriteAsync(httpContext, error, context.Exception, statusOverride));
    }
}
