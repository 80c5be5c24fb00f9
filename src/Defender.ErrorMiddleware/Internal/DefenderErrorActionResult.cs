using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>An MVC result that writes one error through the writer.</summary>
internal sealed class DefenderErrorActionResult : IActionResult
{
    internal DefenderErrorActionResult(DefenderError error, int? statusOverride = null)
    {
        Error = error;
        StatusOverride = statusOverride;
    }

    internal DefenderError Error { get; }

    /// <summary>The status the result keeps instead of the code's own (an error object result with its own status).</summary>
    internal int? StatusOverride { get; }

    public Task ExecuteResultAsync(ActionContext context)
    {
        var writer = context.HttpContext.RequestServices.GetRequiredService<DefenderErrorWriter>();
        return writer.WriteAsync(context.HttpContext, Error, exception: null, StatusOverride);
    }
}
