namespace Defender.ErrorMiddleware.Metadata;

/// <summary>
/// Endpoint metadata for query parameters the handler reads itself (so ApiExplorer cannot see them), such as the OData
/// options <c>$filter</c> or <c>$top</c>. The OpenAPI packages add each one to the operation unless it is already described.
/// </summary>
public interface IDefenderQueryParametersMetadata
{
    /// <summary>The parameters, in the order they should be listed.</summary>
    IReadOnlyList<DefenderQueryParameter> QueryParameters { get; }
}

/// <summary>One optional query parameter as documents show it.</summary>
/// <param name="Name">The name as written in the URL, e.g. <c>$top</c>.</param>
/// <param name="Type">The JSON type of its value.</param>
/// <param name="Description">What it does.</param>
/// <param name="Minimum">The smallest value accepted (integers only).</param>
/// <param name="Maximum">The largest value accepted (integers only).</param>
public sealed record DefenderQueryParameter(string Name, DefenderQueryParameterType Type, string Description, long? Minimum = null, long? Maximum = null);

/// <summary>The JSON type of a query parameter's value.</summary>
#pragma warning disable CA1720 // The members are named after the JSON Schema types they stand for.
public enum DefenderQueryParameterType
{
    /// <summary>A string.</summary>
    String,

    /// <summary>An integer (64-bit).</summary>
    Integer,

    /// <summary>A boolean.</summary>
    Boolean,
}
#pragma warning restore CA1720
