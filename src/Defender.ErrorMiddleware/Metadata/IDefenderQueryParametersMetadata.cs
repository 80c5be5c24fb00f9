namespace Defender.ErrorMiddleware.Metadata;

/// <summary>
/// Endpoint metadata for query parameters the handler reads itself (so ApiExplorer cannot see them), such as the OData
/// options <c>$filter</c> or <c>$top</c>. The OpenAPI packages add each one to the operation unless it is already described.
/// </summary>
internal interface IDefenderQueryParametersMetadata
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
internal sealed record DefenderQueryParameter(string Name, DefenderQueryParameterType Type, string Description, long? Minimum = null, long? Maximum = null);

/// <summary>The JSON type of a query parameter's value.</summary>
internal enum DefenderQueryParameterType
{
    String,
    Integer,
    Boolean,
}
