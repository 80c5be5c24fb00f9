using Microsoft.AspNetCore.Mvc;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>An MVC result that writes a Defender error through the core's one writer (<see cref="DefenderResults"/>).</summary>
internal sealed class DefenderErrorActionResult(DefenderError error) : IActionResult
{
    public DefenderError Error { get; } = error;

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return DefenderResults.Error(Error).ExecuteAsync(context.HttpContext);
    }
}
