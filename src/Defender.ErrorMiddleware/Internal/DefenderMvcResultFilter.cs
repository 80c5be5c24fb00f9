using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// MVC writes error object results with its output formatters, not through <c>IProblemDetailsService</c>. This global
/// result filter replaces, before they execute, the ones whose value says what went wrong — a <see cref="ProblemDetails"/>
/// (<c>Problem()</c>, <c>ValidationProblem(…)</c>, <c>[ApiController]</c>'s client-error mapping), a string
/// (<c>UnprocessableEntity("…")</c>), a <see cref="SerializableError"/> or <see cref="ModelStateDictionary"/>
/// (<c>BadRequest(ModelState)</c>) — with the envelope. Any other value is the application's chosen body and stays.
/// </summary>
internal sealed class DefenderMvcResultFilter : IAlwaysRunResultFilter, IOrderedFilter
{
    /// <summary>
    /// Late: after <c>[ApiController]</c>'s ClientErrorResultFilter (-2000) and application result filters of the default
    /// order 0, so the result they settle on is the one converted.
    /// </summary>
    internal const int FilterOrder = 1_000;

    private readonly DefenderErrorWriter _writer;

    public DefenderMvcResultFilter(DefenderErrorWriter writer) => _writer = writer;

    public int Order => FilterOrder;

    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is ObjectResult { Value: not null } result && Convert(result) is { } converted)
        {
            context.Result = converted;
        }
        else if (context.Result is IAntiforgeryValidationFailedResult)
        {
            // [ValidateAntiForgeryToken]'s bare 400: say why.
            context.Result = new DefenderErrorResult(DefenderErrorHandler.AntiforgeryFailed);
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }

    private DefenderErrorResult? Convert(ObjectResult result)
    {
        switch (result.Value)
        {
            case ProblemDetails problem:
                var status = result.StatusCode ?? problem.Status ?? DefaultStatus(problem);
                if (problem.Extensions.Remove(DefenderErrorOptions.KeepProblemDetailsExtension) || status is < 400 or > 599)
                {
                    return null;
                }

                return new DefenderErrorResult(ProblemDetailsMapping.FromProblem(_writer, problem, status, out var statusOverride), statusOverride);
            case string when ProblemDetailsMapping.TryFromMessageResult(_writer, result.StatusCode, result.Value, out var messageError, out var messageStatus):
                return new DefenderErrorResult(messageError, messageStatus);
            case SerializableError errors when ErrorStatus(result) is not null:
                return FromValidation(errors.Select(static e => new KeyValuePair<string, string[]>(e.Key, e.Value as string[] ?? [])));
            case ModelStateDictionary modelState when ErrorStatus(result) is not null:
                return FromValidation(new SerializableError(modelState).Select(static e => new KeyValuePair<string, string[]>(e.Key, e.Value as string[] ?? [])));
            default:
                return null;
        }
    }

    private DefenderErrorResult FromValidation(IEnumerable<KeyValuePair<string, string[]>> errors) =>
        new(ProblemDetailsMapping.FromValidationErrors(errors) ?? _writer.ErrorForStatus(StatusCodes.Status400BadRequest));

    private static int DefaultStatus(ProblemDetails problem) =>
        problem is HttpValidationProblemDetails ? StatusCodes.Status400BadRequest : StatusCodes.Status500InternalServerError;

    private static int? ErrorStatus(ObjectResult result) => result.StatusCode is >= 400 and <= 599 ? result.StatusCode : null;
}
