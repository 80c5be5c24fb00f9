using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// Lets an application that also uses ASP.NET Core's <c>UseExceptionHandler()</c> get the same envelope,
/// through the same writer and log line, for exceptions that reach that middleware first.
/// </summary>
internal sealed class DefenderExceptionHandler : IExceptionHandler
{
    private readonly DefenderErrorHandler _handler;

    public DefenderExceptionHandler(DefenderErrorHandler handler) => _handler = handler;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // ASP.NET Core recognizes an abort only once the request is marked aborted; a reset body read can arrive first.
        if (DefenderErrorHandler.IsClientAbort(httpContext, exception))
        {
            _handler.AbortForClient(httpContext);
            return true;
        }

        var decision = _handler.Classify(httpContext, exception, out var error, out var statusOverride);
        if (decision != ExceptionMappingKind.Map || httpContext.Response.HasStarted)
        {
            return false;
        }

        await _handler.Writer.WriteAsync(httpContext, error, exception, statusOverride, clearResponse: true);

        // ASP.NET Core counts the exception itself but, for an IExceptionHandler, leaves the other signals to the handler.
        _handler.Diagnostics.HandledByExceptionHandler(httpContext, exception);
        return true;
    }
}
