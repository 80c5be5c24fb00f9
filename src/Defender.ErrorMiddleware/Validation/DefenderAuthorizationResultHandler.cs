using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// ASP.NET Core's authorization result handler, which also judges a JSON body the inspector had to leave until
/// authorization answered: once a request is authorized, its body is read and judged here, and a bad one is answered with
/// the envelope without running the endpoint — no exception thrown through the binder, the serializer and the middleware
/// (docs/performance.md). A challenge or a forbid is the framework's, unchanged; so is everything when the endpoint's body
/// is not waiting on authorization. Registered in place of the framework's default only: an application's own handler is
/// kept, and its bodies are judged on the binder's read as before.
/// </summary>
internal sealed class DefenderAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _framework = new();
    private readonly DefenderErrorHandler _handler;
    private readonly JsonBodyInspector _inspector;

    public DefenderAuthorizationResultHandler(DefenderErrorHandler handler, JsonBodyInspector inspector)
    {
        _handler = handler;
        _inspector = inspector;
    }

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Succeeded)
        {
            return _framework.HandleAsync(next, context, policy, authorizeResult);
        }

        ValueTask<(bool Ok, DefenderError Error)> judging;
        if (context.Features.Get<IRequestBodyPipeFeature>() is InspectedRequestBody { AwaitsAuthorization: true } body)
        {
            // Chunked, large, or an endpoint authorized by the fallback policy alone: the body installed before the endpoint.
            judging = body.JudgeAsync(context.RequestAborted);
        }
        else if (_inspector.PlanAfterAuthorization(context) is { } plan)
        {
            // A buffered body, checked without consuming it, as before the endpoint: nothing was installed for it.
            judging = JsonBodyInspector.CheckAsync(context, plan);
        }
        else
        {
            return _framework.HandleAsync(next, context, policy, authorizeResult);
        }

        if (!judging.IsCompletedSuccessfully)
        {
            return JudgeLaterAsync(judging, next, context, policy, authorizeResult);
        }

        var (ok, error) = judging.Result;
        return ok ? _framework.HandleAsync(next, context, policy, authorizeResult) : _handler.WriteRefusedRequestAsync(context, error);
    }

    private async Task JudgeLaterAsync(ValueTask<(bool Ok, DefenderError Error)> judging, RequestDelegate next, HttpContext context,
        AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        bool ok;
        DefenderError error;
        try
        {
            (ok, error) = await judging.ConfigureAwait(false);
        }
        catch (IOException exception) when (exception is not BadHttpRequestException && !DefenderErrorHandler.IsClientGone(context))
        {
            // A body the server cannot read though the client is there (Kestrel's "Bad chunk size data"): broken framing,
            // which the binder answers with a bare 400, so it gets that status's envelope here too. Limits (413) and
            // timeouts come as BadHttpRequestException and go to the handler with their own status.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await _handler.WriteStatusCodeBodyAsync(context).ConfigureAwait(false);
            return;
        }

        await (ok ? _framework.HandleAsync(next, context, policy, authorizeResult) : _handler.WriteRefusedRequestAsync(context, error)).ConfigureAwait(false);
    }
}
