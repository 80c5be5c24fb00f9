using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Validator;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary><see cref="DefenderODataOptions"/> as the library's validation settings, plus the one limit it has no setting for.</summary>
internal sealed class ODataLimits(IOptions<DefenderODataOptions> options)
{
    private readonly Lazy<ODataValidationSettings> _validation = new(() => CreateValidationSettings(options.Value));

    public DefenderODataOptions Options => options.Value;

    /// <summary>The library's validation settings with Defender's limits (its own defaults for everything else).</summary>
    public ODataValidationSettings ValidationSettings => _validation.Value;

    /// <summary>Query settings for applying a query: constants become parameters, so EF Core caches one plan per query shape.</summary>
    public static ODataQuerySettings CreateQuerySettings(int? pageSize) => new()
    {
        EnableConstantParameterization = true,
        EnsureStableOrdering = true,
        HandleNullPropagation = HandleNullPropagationOption.False,
        PageSize = pageSize,
    };

    /// <summary>
    /// What the library checks only inside <c>[EnableQuery]</c> and its endpoint filter, for the other usages: a system query
    /// option it does not know (its own wording), and one longer than <see cref="DefenderODataOptions.MaxOptionLength"/>.
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

        return null;
    }

    private static ODataValidationSettings CreateValidationSettings(DefenderODataOptions options) => new()
    {
        MaxTop = options.MaxTop,
        MaxNodeCount = options.MaxNodeCount,
        MaxOrderByNodeCount = options.MaxOrderByNodeCount,
        MaxAnyAllExpressionDepth = options.MaxAnyAllExpressionDepth,
        MaxExpansionDepth = options.MaxExpansionDepth,
    };
}
