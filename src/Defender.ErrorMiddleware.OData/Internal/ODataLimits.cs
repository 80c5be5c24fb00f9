using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Validator;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// <see cref="DefenderODataOptions"/> as the library's validation settings, plus what it has no setting for: the option length,
/// the options Defender does not document, and one node budget over the whole query.
/// </summary>
internal sealed class ODataLimits
{
    private readonly IOptions<DefenderODataOptions> _options;
    private readonly TimeProvider _time;
    private readonly Lazy<ODataValidationSettings> _validation;

    public ODataLimits(IOptions<DefenderODataOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _validation = new(() => CreateValidationSettings(options.Value));
    }

    public DefenderODataOptions Options => _options.Value;

    /// <summary>The library's validation settings with Defender's limits (its own defaults for everything else).</summary>
    public ODataValidationSettings ValidationSettings => _validation.Value;

    /// <summary>
    /// Validates a query with the library's validators and Defender's limits, then the one node budget over <c>$filter</c>,
    /// <c>$orderby</c>, <c>$compute</c> and <c>$select</c>/<c>$expand</c> together (<see cref="DefenderODataOptions.MaxNodeCount"/>).
    /// Throws the <see cref="Microsoft.OData.ODataException"/> of the first limit exceeded.
    /// </summary>
    public void Validate(ODataQueryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(ValidationSettings);
        if (ODataNodeBudget.Exceeded(options, Options.MaxNodeCount) is { } reason)
        {
            throw new Microsoft.OData.ODataException(reason);
        }
    }

    /// <summary>The time budget of one query (<see cref="DefenderODataOptions.QueryTimeout"/>), ended early if the client leaves.</summary>
    public QueryBudget StartQueryBudget(CancellationToken requestAborted) => new(Options.QueryTimeout, _time, requestAborted);

    /// <summary>The error for work stopped by the time budget; <see langword="null"/> when the client left (or time remains).</summary>
    public DefenderError? TimedOut(QueryBudget budget) => budget.TimedOut ? ODataErrors.QueryTimedOut(Options.QueryTimeout) : null;

    /// <summary>
    /// Query settings for applying a query: constants become parameters, so EF Core caches one plan per query shape. No page
    /// size: the library would read its page synchronously; <see cref="ODataPageReader"/> pages instead.
    /// </summary>
    public static ODataQuerySettings CreateQuerySettings() => new()
    {
        EnableConstantParameterization = true,
        EnsureStableOrdering = true,
        HandleNullPropagation = HandleNullPropagationOption.False,
    };

    /// <summary>
    /// What the library checks only inside <c>[EnableQuery]</c> and its endpoint filter, for the other usages: a system query
    /// option it does not know (its own wording), and one longer than <see cref="DefenderODataOptions.MaxOptionLength"/>; and,
    /// before anything is parsed, <c>$apply</c>, <c>$compute</c> and <c>$search</c> unless the application allowed them.
    /// </summary>
    public DefenderError? CheckOptions(IQueryCollection query, ODataQueryOptions? options)
    {
        var limit = Options.MaxOptionLength;
        foreach (var (key, values) in query)
        {
            if (!key.StartsWith('$'))
            {
                continue;
            }

            if (NotAllowed(key) is { } option)
            {
                return ODataErrors.NotSupported(option);
            }

            if (options is not null && !options.IsSupportedQueryOption(key))
            {
                return DefenderError.ODataError(string.Create(CultureInfo.InvariantCulture,
                    $"Custom query option '{key}' that starts with '$' is not supported."));
            }

            foreach (var value in values)
            {
                if (value is { Length: var length } && length > limit)
                {
                    return ODataErrors.OptionTooLong(key, length, limit);
                }
            }
        }

        // The library may read an option under another spelling (without '$', when the app enables that): its own reading decides.
        var raw = options?.RawValues;
        return raw is null ? null
            : raw.Apply is not null && !Options.AllowApply ? ODataErrors.NotSupported("$apply")
            : raw.Compute is not null && !Options.AllowCompute ? ODataErrors.NotSupported("$compute")
            : raw.Search is not null && !Options.AllowSearch ? ODataErrors.NotSupported("$search")
            : null;
    }

    /// <summary>The query options the application did not allow, to take out of the library's <c>AllowedQueryOptions</c>.</summary>
    public AllowedQueryOptions Disallowed =>
        (Options.AllowApply ? AllowedQueryOptions.None : AllowedQueryOptions.Apply)
        | (Options.AllowCompute ? AllowedQueryOptions.None : AllowedQueryOptions.Compute)
        | (Options.AllowSearch ? AllowedQueryOptions.None : AllowedQueryOptions.Search);

    /// <summary>The canonical name of a system query option the application did not allow, or <see langword="null"/>.</summary>
    private string? NotAllowed(string key) =>
        key.Equals("$apply", StringComparison.OrdinalIgnoreCase) && !Options.AllowApply ? "$apply"
        : key.Equals("$compute", StringComparison.OrdinalIgnoreCase) && !Options.AllowCompute ? "$compute"
        : key.Equals("$search", StringComparison.OrdinalIgnoreCase) && !Options.AllowSearch ? "$search"
        : null;

    private ODataValidationSettings CreateValidationSettings(DefenderODataOptions options) => new()
    {
        AllowedQueryOptions = new ODataValidationSettings().AllowedQueryOptions & ~Disallowed,
        MaxTop = options.MaxTop,
        MaxNodeCount = options.MaxNodeCount,
        MaxOrderByNodeCount = options.MaxOrderByNodeCount,
        MaxAnyAllExpressionDepth = options.MaxAnyAllExpressionDepth,
        MaxExpansionDepth = options.MaxExpansionDepth,
    };
}
