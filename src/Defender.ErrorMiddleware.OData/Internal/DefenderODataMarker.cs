namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>Registered once by <c>AddDefenderOData()</c>, so a second call only adds configuration.</summary>
internal sealed class DefenderODataMarker;
