using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// Catches what the rest of the pipeline throws and fills bodiless error statuses. It never reads the request: bodies are
/// the binders' (see docs/validation.md). A request that succeeds passes through without an allocation or an extra state machine.
/// </summary>
internal sealed class DefenderErrorMiddleware
{
    private readonly RequestDelegate _next;
    private readonly DefenderErrorHandler _handler;

    public DefenderErrorMiddleware(RequestDelegate next, DefenderErrorHandler handler)
    {
        _next = next;
        _handler = handler;
    }

    public Task InvokeAsync(HttpContext context)
    {
        Task task;
        try
        {
            task = _next(context);
        }
#pragma warning disable CA1031 // Every exception is handled or rethrown by the handler.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return _handler.HandleExceptionAsync(context, ExceptionDispatchInfo.Capture(exception));
        }

        if (!task.IsCompletedSuccessfully)
        {
            return AwaitAsync(context, task);
        }

        return _handler.NeedsStatusCodeBody(context) ? _handler.WriteStatusCodeBodyAsync(context) : Task.CompletedTask;
    }

    private async Task AwaitAsync(HttpContext context, Task task)
    {
        ExceptionDispatchInfo? edi = null;
        try
        {
            await task;
        }
#pragma warning disable CA1031 // Handled outside the catch block, as aspnetcore's ExceptionHandlerMiddleware does.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            edi = ExceptionDispatchInfo.Capture(exception);
        }

        if (edi is not null)
        {
            await _handler.HandleExceptionAsync(context, edi);
            return;
        }

        if (_handler.NeedsStatusCodeBody(context))
        {
            await _handler.WriteStatusCodeBodyAsync(context);
        }
    }
}
