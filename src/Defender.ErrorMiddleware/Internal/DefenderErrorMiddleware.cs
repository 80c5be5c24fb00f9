using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// Catches what the rest of the pipeline throws and fills bodiless error statuses. It never reads the request: bodies are
/// the binders' (see docs/validation.md). A request that succeeds passes through without an extra state machine (one small
/// status-code-pages feature is its only allocation).
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
        // As StatusCodePagesMiddleware does, so an app's documented opt-out (Features.Get<IStatusCodePagesFeature>()!.Enabled
        // = false) works with UseDefenderErrors() alone; a feature set by an outer UseStatusCodePages() is the one both read.
        if (context.Features.Get<IStatusCodePagesFeature>() is null)
        {
            context.Features.Set<IStatusCodePagesFeature>(new StatusCodePagesFeature());
        }

        Task task;
        try
        {
            task = _next(context);
        }
#pragma warning disable CA1031 // Every exception is handled or rethrown by the handler.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return _handler.HandleExceptionAsync(context, exception);
        }

        // Failed before its first real await (the usual thrown error, caught by an async middleware in between): answered
        // here, without the awaiting state machine.
        if (task.IsFaulted || task.IsCanceled)
        {
            return _handler.HandleExceptionAsync(context, Failure(task));
        }

        if (!task.IsCompleted)
        {
            return AwaitAsync(context, task);
        }

        return _handler.NeedsStatusCodeBody(context) ? _handler.WriteStatusCodeBodyAsync(context) : Task.CompletedTask;
    }

    /// <summary>What awaiting the failed task would have thrown: its first exception, or a cancellation for a canceled task.</summary>
    private static Exception Failure(Task task) => task.Exception is { } aggregate
        ? aggregate.InnerExceptions[0]
        : new TaskCanceledException(task);

    private async Task AwaitAsync(HttpContext context, Task task)
    {
        // A task that fails later is read, not rethrown: awaiting it would throw and unwind the exception once more only to
        // catch it here, the largest single cost of an answered exception in this frame (docs/performance.md, "Thrown → 404").
        await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!task.IsCompletedSuccessfully)
        {
            await _handler.HandleExceptionAsync(context, Failure(task));
            return;
        }

        if (_handler.NeedsStatusCodeBody(context))
        {
            await _handler.WriteStatusCodeBodyAsync(context);
        }
    }
}
