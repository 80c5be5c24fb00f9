using System.Globalization;
using System.Linq.Expressions;
using Microsoft.AspNetCore.Http;
using Microsoft.OData;
using Microsoft.OData.UriParser;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>One ordering key of <c>$orderby</c>, already translated.</summary>
internal sealed record Ordering(LambdaExpression KeySelector, bool Descending);

/// <summary>The request's query options, checked against the limits, parsed and translated.</summary>
internal sealed record ParsedQuery(
    string? Filter,
    string? OrderBy,
    LambdaExpression? Predicate,
    IReadOnlyList<Ordering> Orderings,
    int? Top,
    int? Skip,
    IReadOnlyList<EntityProperty>? Select,
    bool Count);

/// <summary>
/// Reads OData system query options from a request. Every failure leaves as a <see cref="DefenderException"/> carrying
/// ODataError, so the package's own errors are right even when <c>AddDefenderOData()</c> was not called.
/// </summary>
internal static class QueryOptionsReader
{
    private const string Filter = "$filter";
    private const string OrderBy = "$orderby";
    private const string Top = "$top";
    private const string Skip = "$skip";
    private const string Select = "$select";
    private const string Count = "$count";

    private static readonly string[] Supported = [Filter, OrderBy, Top, Skip, Select, Count];

    public static ParsedQuery Read(IQueryCollection query, EntityModel model, DefenderODataOptions limits)
    {
        try
        {
            return ReadCore(query, model, limits);
        }
        catch (ODataException exception)
        {
            throw ODataErrors.Wrap(exception);
        }
    }

    private static ParsedQuery ReadCore(IQueryCollection query, EntityModel model, DefenderODataOptions limits)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.StartsWith('$'))
            {
                // System query option names are matched case-insensitively, as OData 4.01 allows.
                var name = Array.Find(Supported, s => string.Equals(s, key, StringComparison.OrdinalIgnoreCase))
                    ?? throw ODataErrors.Create($"The query parameter '{key}' is not supported.");
                AddOnce(options, name, values);
            }
        }

        foreach (var name in (ReadOnlySpan<string>)[Filter, OrderBy, Select])
        {
            if (options.TryGetValue(name, out var text))
            {
                CheckLength(name, text, limits.MaxOptionLength);
                if (name != Select)
                {
                    CheckNesting(name, text, limits.MaxNestingDepth);
                }
            }
        }

        var parser = new ODataQueryOptionParser(model.Model, model.EntityType, model.EntitySet, options)
        {
            // 'Active' is accepted for an enumeration value as well as Default.Health'Active'.
            Resolver = new StringAsEnumResolver { EnableCaseInsensitive = false },
        };

        var filterClause = Parse(() => parser.ParseFilter());
        var orderByClause = Parse(() => parser.ParseOrderBy());
        var top = Parse(() => parser.ParseTop());
        var skip = Parse(() => parser.ParseSkip());
        var count = Parse(() => parser.ParseCount());
        var selectClause = options.ContainsKey(Select) ? Parse(() => parser.ParseSelectAndExpand()) : null;

        if (top > limits.MaxTop)
        {
            throw ODataErrors.Create($"The limit of '{limits.MaxTop}' for Top query has been exceeded. The value from the incoming request is '{top}'.");
        }

        if (skip > int.MaxValue)
        {
            throw ODataErrors.Create($"Invalid value '{skip}' for $skip query option found. The $skip query option must not exceed {int.MaxValue}.");
        }

        var it = Expression.Parameter(model.ClrType, "it");
        LambdaExpression? predicate = null;
        if (filterClause is not null)
        {
            var translator = new ExpressionTranslator(model, it, limits.MaxNodeCount, Filter);
            var body = Translate(Filter, () => translator.TranslatePredicate(filterClause.Expression));
            predicate = Expression.Lambda(ConstantParameterizer.Parameterize(body), it);
        }

        var orderings = new List<Ordering>();
        var orderTranslator = new ExpressionTranslator(model, it, limits.MaxNodeCount, OrderBy);
        for (var clause = orderByClause; clause is not null; clause = clause.ThenBy)
        {
            var key = Translate(OrderBy, () => orderTranslator.Translate(clause.Expression));
            if (key is ConstantExpression)
            {
                // Ordering by a literal orders nothing; some providers reject it.
                continue;
            }

            orderings.Add(new Ordering(Expression.Lambda(ConstantParameterizer.Parameterize(key), it), clause.Direction == OrderByDirection.Descending));
        }

        return new ParsedQuery(
            options.GetValueOrDefault(Filter),
            options.GetValueOrDefault(OrderBy),
            predicate,
            orderings,
            top is null ? null : (int)top.Value,
            skip is null ? null : (int)skip.Value,
            selectClause is null ? null : ReadSelect(selectClause, model),
            count == true);
    }

    private static void AddOnce(Dictionary<string, string> options, string name, Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count > 1 || options.ContainsKey(name))
        {
            throw ODataErrors.Create($"Query option '{name}' was specified more than once, but it must be specified at most once.");
        }

        options[name] = values.ToString();
    }

    private static void CheckLength(string name, string text, int max)
    {
        if (text.Length > max)
        {
            throw ODataErrors.Create($"The {name} query option is {text.Length} characters long; the limit is {max}.");
        }
    }

    /// <summary>Counts parentheses outside string literals, before the parser recurses into them.</summary>
    private static void CheckNesting(string name, string text, int max)
    {
        var depth = 0;
        var inString = false;
        foreach (var c in text)
        {
            if (c == '\'')
            {
                // A doubled quote inside a literal toggles twice: it stays inside.
                inString = !inString;
            }
            else if (!inString && c == '(' && ++depth > max)
            {
                throw ODataErrors.Create($"The {name} query option nests parentheses deeper than the limit of {max}.");
            }
            else if (!inString && c == ')')
            {
                depth = Math.Max(0, depth - 1);
            }
        }
    }

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ODataException)
        {
            throw;
        }
#pragma warning disable CA1031 // The parser fails on some hostile input with other exceptions: still the client's bad query.
        catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException
            or InvalidOperationException or NotSupportedException or NullReferenceException or IndexOutOfRangeException)
#pragma warning restore CA1031
        {
            throw new ODataException("The query options could not be parsed.", exception);
        }
    }

    private static Expression Translate(string option, Func<Expression> translate)
    {
        try
        {
            return translate();
        }
        catch (ODataException)
        {
            throw;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            // An operand combination the LINQ expression factories refuse: not something this package can run.
            throw new ODataException(string.Create(CultureInfo.InvariantCulture, $"The {option} query option uses an expression that is not supported."), exception);
        }
    }

    private static List<EntityProperty> ReadSelect(SelectExpandClause clause, EntityModel model)
    {
        if (clause.AllSelected)
        {
            return [.. model.Properties];
        }

        var selected = new HashSet<EntityProperty>();
        foreach (var item in clause.SelectedItems)
        {
            switch (item)
            {
                case WildcardSelectItem:
                    return [.. model.Properties];
                case PathSelectItem { SelectedPath: { Count: 1, FirstSegment: PropertySegment segment } }:
                    selected.Add(model.GetProperty(segment.Property));
                    break;
                default:
                    throw ODataErrors.Create($"Only properties of the entity can be selected.");
            }
        }

        // The order of the entity's serialized properties, whatever order $select named them in.
        return [.. model.Properties.Where(selected.Contains)];
    }
}
