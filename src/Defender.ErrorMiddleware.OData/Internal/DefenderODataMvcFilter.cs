using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Validator;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OData.ModelBuilder;
using Microsoft.OData;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// The global MVC filter that gives controllers the contract: before the action, the option lengths and every
/// <c>ODataQueryOptions</c> argument are checked against Defender's limits; after it, the 400 that <c>[EnableQuery]</c>
/// builds from an exception (message, exception type, stack trace) and any OData error object the OData formatter would
/// write become the Defender envelope. It runs outside <c>[EnableQuery]</c> (a lower order), so it sees what the attribute set.
/// </summary>
internal sealed class DefenderODataMvcFilter(ODataLimits limits, IOptions<DefenderErrorOptions> errorOptions, JsonNamedModelConfiguration models)
    : IAsyncResourceFilter, IAsyncActionFilter, IOrderedFilter
{
    /// <summary>The filter's order: outside every filter of the default order 0, <c>[EnableQuery]</c> included.</summary>
    public const int FilterOrder = -100_000;

    public int Order => FilterOrder;

    /// <summary>
    /// Before model binding: a controller outside OData routing gets the entity's model named as its JSON
    /// (<see cref="JsonNamedModelConfiguration"/>), which the library then uses for <c>[EnableQuery]</c> and
    /// <c>ODataQueryOptions&lt;T&gt;</c> alike, instead of a model with the CLR names.
    /// </summary>
    public Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var feature = context.HttpContext.ODataFeature();
        if (feature.Model is null && feature.Path is null
            && context.ActionDescriptor.EndpointMetadata.OfType<DefenderODataQueryMetadata>().FirstOrDefault() is { EntityType: { } type }
            && type != typeof(object) && !context.ActionDescriptor.EndpointMetadata.OfType<IODataRoutingMetadata>().Any())
        {
            feature.Model = models.ForController(type, context.HttpContext.RequestServices.GetService<IAssemblyResolver>());
        }

        return next();
    }

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!IsODataAction(context))
        {
            await next();
            return;
        }

        var queryOptions = context.ActionArguments.Values.OfType<ODataQueryOptions>().FirstOrDefault();
        if (limits.CheckOptions(context.HttpContext.Request.Query, queryOptions) is { } rejected)
        {
            context.Result = DefenderResults.Error(rejected);
            return;
        }

        foreach (var argument in context.ActionArguments.Values)
        {
            if (argument is ODataQueryOptions options)
            {
                try
                {
                    limits.Validate(options);
                }
                catch (ODataException exception)
                {
                    context.Result = DefenderResults.Error(ODataErrors.FromException(context.HttpContext, exception));
                    return;
                }
            }
        }

        if (queryOptions is null && OverBudget(context) is { } overBudget)
        {
            context.Result = DefenderResults.Error(overBudget);
            return;
        }

        var executed = await next();
        if (executed.Result is ODataPage page)
        {
            // [EnableQuery]'s page, read inside the time budget (EnableQueryPageFilter): the object result MVC writes.
            executed.Result = page.Result;
        }
        else if (executed.Result is { } result && Translate(context.HttpContext, result) is { } translated)
        {
            executed.Result = translated;
        }
        else if (executed.Exception is null && executed.Result is ObjectResult { Value: IQueryable query } objectResult && query is not EnumerableQuery)
        {
            // A query still to run (ODataQueryOptions.ApplyTo in the action): run it now, so that the database's refusal is an
            // error envelope and not a response aborted half-written by the output formatter.
            using var budget = limits.StartQueryBudget(context.HttpContext.RequestAborted);
            try
            {
                objectResult.Value = ODataPageReader.AsQueryable(query.ElementType, await ODataPageReader.ReadAsync(query, budget.Token));
                budget.ThrowIfSpent();
            }
            catch (Exception) when (limits.TimedOut(budget) is { } timedOut)
            {
                executed.Result = DefenderResults.Error(timedOut);
            }
            catch (Exception exception) when (ODataErrors.Classify(context.HttpContext, exception) is { } error)
            {
                executed.Result = DefenderResults.Error(error);
            }
        }
    }

    /// <summary>
    /// For <c>[EnableQuery]</c>, which validates with the library's validators only: the query parsed as the attribute parses it,
    /// held to the node budget (with the attribute's <c>MaxNodeCount</c>). Anything else wrong with the query (a parse error, a
    /// <c>$filter</c> over the library's own node limit) is left to the attribute, so its reason is the one a client reads.
    /// </summary>
    private static DefenderError? OverBudget(ActionExecutingContext context)
    {
        var attribute = context.Filters.OfType<EnableQueryAttribute>().LastOrDefault();
        var entityType = context.ActionDescriptor.EndpointMetadata.OfType<DefenderODataQueryMetadata>().FirstOrDefault()?.EntityType;
        if (attribute is null || entityType is null || entityType == typeof(object))
        {
            return null;
        }

        var request = context.HttpContext.Request;
        try
        {
            var path = request.ODataFeature().Path;
            var model = path is not null ? request.GetModel() : attribute.GetModel(entityType, request, context.ActionDescriptor);
            var options = new ODataQueryOptions(new ODataQueryContext(model, entityType, path), request);
            if (ODataNodeBudget.Exceeded(options, attribute.MaxNodeCount) is not { } reason)
            {
                return null;
            }

            // A $filter over the library's own limit is the attribute's to refuse, in its words.
            options.Filter?.Validate(new ODataValidationSettings { MaxNodeCount = attribute.MaxNodeCount, MaxAnyAllExpressionDepth = int.MaxValue });
            return DefenderError.ODataError(reason);
        }
        catch (Exception exception) when (exception is ODataException or InvalidOperationException or ArgumentException or NotSupportedException or NotImplementedException)
        {
            return null;
        }
    }

    private static bool IsODataAction(ActionExecutingContext context)
    {
        foreach (var item in context.ActionDescriptor.EndpointMetadata)
        {
            if (item is DefenderODataQueryMetadata or IODataRoutingMetadata)
            {
                return true;
            }
        }

        foreach (var filter in context.Filters)
        {
            if (filter is EnableQueryAttribute)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the OData libraries would write in their own error shape, as a Defender error (or <see langword="null"/>).</summary>
    private IActionResult? Translate(HttpContext httpContext, IActionResult result)
    {
        switch (result)
        {
            case ObjectResult { Value: SerializableError serializable }:
                return ODataErrors.FromEnableQueryError(httpContext, serializable) is { } error ? DefenderResults.Error(error) : null;
            case ObjectResult { Value: ODataError odataError } objectResult:
                return FromODataError(objectResult.StatusCode ?? StatusCodes.Status400BadRequest, odataError);
            case IODataErrorResult { Error: { } odataError } errorResult:
                var status = (errorResult as IStatusCodeActionResult)?.StatusCode
                    ?? (int.TryParse(odataError.Code, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : StatusCodes.Status500InternalServerError);
                return FromODataError(status, odataError);
            default:
                return null;
        }
    }

    /// <summary>
    /// An application's OData error object, under its own status: the error the core writes for that status
    /// (<see cref="DefenderErrorOptions.StatusCodeErrors"/>), with the application's message on a client error; never its details
    /// or inner error. A status the core has no entry for goes out bodiless, so the core's own rule for it applies.
    /// </summary>
    private IActionResult FromODataError(int status, ODataError odataError)
    {
        if (status is < StatusCodes.Status400BadRequest or > 599 || !errorOptions.Value.StatusCodeErrors.TryGetValue(status, out var mapped))
        {
            return new StatusCodeResult(status);
        }

        // The status stays the application's (a 405 or 413 answers 405 or 413), with the code the core gives it.
        return DefenderResults.Error(status < StatusCodes.Status500InternalServerError && !string.IsNullOrEmpty(odataError.Message)
            ? new DefenderError(mapped.Code, odataError.Message)
            : mapped, status);
    }
}
